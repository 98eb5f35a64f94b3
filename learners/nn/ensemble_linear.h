// E independent linear layers evaluated as one batched matmul: [E, B, in] -> [E, B, out].
//
// This is how every ensemble in the project runs: the dynamics model's 7 members, and BCQ's and
// CQL's twin critics (E = 2), so a forward pass is one baddbmm per layer instead of E small gemms.
#ifndef ROMI_LEARNERS_NN_ENSEMBLE_LINEAR_H_
#define ROMI_LEARNERS_NN_ENSEMBLE_LINEAR_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/activation.h"
#include "learners/nn/precision.h"

namespace romi::learners {

enum class EnsembleInit {
  // Each member initialized as torch::nn::Linear would be (Kaiming-uniform weights, uniform bias):
  // the twin critics then start exactly as two separate Linear stacks.
  kTorchLinear,
  // Truncated normal weights with std 1 / (2 sqrt(in)), zero bias: ROMI's dynamics ensemble.
  kTruncatedNormal,
};

class EnsembleLinearImpl : public torch::nn::Module {
 public:
  EnsembleLinearImpl(int64_t members, int64_t input, int64_t output, EnsembleInit init);

  // x: [E, B, in] (or [B, in], shared by every member) -> [E, B, out], multiplied in
  // MatmulDtype() (learners/precision.h) and returned in x's dtype.
  torch::Tensor forward(const torch::Tensor& x);

  int64_t members() const { return weight.size(0); }
  torch::Tensor weight;  // [E, in, out]
  torch::Tensor bias;    // [E, 1, out]
};
TORCH_MODULE(EnsembleLinear);

// E MLPs with identical shapes as one stack of EnsembleLinear layers. In bfloat16 (MatmulDtype
// of `kind`, learners/nn/precision.h) the activations stay bfloat16 from the first layer to the
// last; outputs come back in x's dtype.
class EnsembleMlpImpl : public torch::nn::Module {
 public:
  EnsembleMlpImpl(int64_t members, int64_t input, const std::vector<int64_t>& hidden,
                  int64_t output, Activation hidden_activation, EnsembleInit init,
                  NetworkKind kind = NetworkKind::kGeneral);

  // x: [E, B, in] or [B, in] -> [E, B, out].
  torch::Tensor forward(torch::Tensor x);
  // The hidden features of the last hidden layer, [E, B, hidden.back()] (for multi-head models).
  torch::Tensor Features(torch::Tensor x);

  // forward() with the parameters treated as constants: back-propagation then yields gradients
  // for x only and computes no weight gradients, e.g. an actor's loss through frozen critics.
  // x: [E, B, in] or [B, in] -> [E, B, out].
  torch::Tensor FrozenForward(torch::Tensor x);
  // Member `member` alone, parameters treated as constants: [B, in] -> [B, out] (e.g. BCQ's Q1).
  torch::Tensor FrozenMemberForward(torch::Tensor x, int64_t member);

  const std::vector<EnsembleLinear>& layers() const { return layers_; }

 private:
  // Layers [0, count) in MatmulDtype(kind_), returned in x's dtype; `frozen`: detached parameters.
  torch::Tensor Run(torch::Tensor x, size_t count, bool frozen);

  std::vector<EnsembleLinear> layers_;
  Activation hidden_activation_;
  NetworkKind kind_;
};
TORCH_MODULE(EnsembleMlp);

// Twin critics Q(s, a): `input` -> hidden... -> 1 with ReLUs, two members initialized as two
// Linear stacks would be, built as NetworkKind::kCritic. BCQ's and CQL's critics and targets.
EnsembleMlp TwinCritics(int64_t input, const std::vector<int64_t>& hidden);

// Fills `tensor` with N(0, std^2) truncated to [-2 std, 2 std] (TensorFlow's truncated_normal).
void TruncatedNormal_(torch::Tensor tensor, double std);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_ENSEMBLE_LINEAR_H_
