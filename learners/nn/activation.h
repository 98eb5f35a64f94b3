// Activation functions by name, for configurable networks.
#ifndef ROMI_LEARNERS_NN_ACTIVATION_H_
#define ROMI_LEARNERS_NN_ACTIVATION_H_

#include <torch/torch.h>

#include <string>

#include "absl/status/statusor.h"

namespace romi::learners {

enum class Activation { kIdentity, kRelu, kSwish, kTanh };

// "identity", "relu", "swish" (x * sigmoid(x), the dynamics models' choice) or "tanh".
absl::StatusOr<Activation> ParseActivation(const std::string& name);

inline torch::Tensor Apply(Activation activation, const torch::Tensor& x) {
  switch (activation) {
    case Activation::kRelu:
      return torch::relu(x);
    case Activation::kSwish:
      return torch::silu(x);
    case Activation::kTanh:
      return torch::tanh(x);
    case Activation::kIdentity:
      break;
  }
  return x;
}

// Apply() to a fresh temporary that nothing else references (e.g. a linear layer's output): in
// place where autograd allows it (relu and tanh, whose backward needs only their output), which
// saves an allocation and a pass over memory; swish, whose backward needs its input, allocates.
inline torch::Tensor ApplyInPlace(Activation activation, torch::Tensor x) {
  switch (activation) {
    case Activation::kRelu:
      return x.relu_();
    case Activation::kTanh:
      return x.tanh_();
    case Activation::kSwish:
      return torch::silu(x);
    case Activation::kIdentity:
      break;
  }
  return x;
}

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_ACTIVATION_H_
