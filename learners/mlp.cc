#include "learners/mlp.h"

#include <string>

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
  for (size_t i = 0; i + 1 < layers_.size(); ++i) {
    x = ApplyInPlace(hidden_activation_, layers_[i]->forward(x));
  }
  return ApplyInPlace(output_activation_, layers_.back()->forward(x));
}

}  // namespace romi::learners
