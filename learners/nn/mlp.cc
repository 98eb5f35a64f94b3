#include "learners/nn/mlp.h"

#include <string>

#include "learners/nn/precision.h"

namespace romi::learners {

MlpImpl::MlpImpl(int64_t input, const std::vector<int64_t>& hidden, int64_t output,
                 Activation hidden_activation, Activation output_activation)
    : hidden_activation_(hidden_activation), output_activation_(output_activation) {
  int64_t width = input;
  std::vector<int64_t> widths = hidden;
  widths.push_back(output);
  for (size_t i = 0; i < widths.size(); ++i) {
    layers_.push_back(
        register_module("linear" + std::to_string(i), torch::nn::Linear(width, widths[i])));
    width = widths[i];
  }
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  const torch::ScalarType output_dtype = x.scalar_type();
  const torch::ScalarType dtype = MatmulDtype();
  x = CastTo(x, dtype);
  for (size_t i = 0; i < layers_.size(); ++i) {
    x = torch::nn::functional::linear(x, CastTo(layers_[i]->weight, dtype),
                                      CastTo(layers_[i]->bias, dtype));
    x = ApplyInPlace(i + 1 < layers_.size() ? hidden_activation_ : output_activation_, x);
  }
  return CastTo(x, output_dtype);
}

}  // namespace romi::learners
