// A multilayer perceptron: in -> hidden... -> out, one activation between layers.
//
// Parameters: input width, hidden widths (e.g. {400, 300} for BCQ's actor and critics, {256, 256,
// 256} for CQL's), output width, hidden activation, output activation (identity by default).
// Layers use LibTorch's default (Kaiming-uniform) initialization, as the PyTorch learners do.
#ifndef ROMI_LEARNERS_NN_MLP_H_
#define ROMI_LEARNERS_NN_MLP_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/activation.h"

namespace romi::learners {

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t input, const std::vector<int64_t>& hidden, int64_t output,
          Activation hidden_activation, Activation output_activation = Activation::kIdentity);

  // Multiplies in MatmulDtype() (learners/precision.h), activations included; returns x's dtype.
  torch::Tensor forward(torch::Tensor x);

  int64_t input_size() const { return layers_.front()->options.in_features(); }
  int64_t output_size() const { return layers_.back()->options.out_features(); }

 private:
  std::vector<torch::nn::Linear> layers_;
  Activation hidden_activation_;
  Activation output_activation_;
};
TORCH_MODULE(Mlp);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_MLP_H_
