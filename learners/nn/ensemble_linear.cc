#include "learners/nn/ensemble_linear.h"

#include <cmath>
#include <string>
#include <utility>

#include "learners/nn/precision.h"

namespace romi::learners {

namespace {

// bias + x @ weight for x [E, B, in], or a shared [B, in] expanded to every member (a view, no
// copy, so that the bias add stays fused into the batched matmul).
torch::Tensor Affine(const torch::Tensor& x, const torch::Tensor& weight,
                     const torch::Tensor& bias) {
  const torch::Tensor input = x.dim() == 2 ? x.expand({weight.size(0), x.size(0), x.size(1)}) : x;
  return torch::baddbmm(bias, input, weight);
}

}  // namespace

void TruncatedNormal_(torch::Tensor tensor, double std) {
  torch::NoGradGuard no_grad;
  // Redraw the values outside two standard deviations until none are left.
  tensor.normal_(0, std);
  torch::Tensor outside = tensor.abs() > 2 * std;
  while (outside.any().item<bool>()) {
    tensor.masked_scatter_(outside,
                           torch::empty_like(tensor).normal_(0, std).masked_select(outside));
    outside = tensor.abs() > 2 * std;
  }
}

EnsembleLinearImpl::EnsembleLinearImpl(int64_t members, int64_t input, int64_t output,
                                       EnsembleInit init) {
  weight = register_parameter("weight", torch::empty({members, input, output}));
  bias = register_parameter("bias", torch::empty({members, 1, output}));
  torch::NoGradGuard no_grad;
  if (init == EnsembleInit::kTruncatedNormal) {
    TruncatedNormal_(weight, 1.0 / (2.0 * std::sqrt(static_cast<double>(input))));
    bias.zero_();
  } else {
    // torch::nn::Linear: kaiming_uniform(a = sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)); bias alike.
    const double bound = 1.0 / std::sqrt(static_cast<double>(input));
    weight.uniform_(-bound, bound);
    bias.uniform_(-bound, bound);
  }
}

torch::Tensor EnsembleLinearImpl::forward(const torch::Tensor& x) {
  const torch::ScalarType dtype = MatmulDtype();
  return CastTo(Affine(CastTo(x, dtype), CastTo(weight, dtype), CastTo(bias, dtype)),
                x.scalar_type());
}

EnsembleMlpImpl::EnsembleMlpImpl(int64_t members, int64_t input, const std::vector<int64_t>& hidden,
                                 int64_t output, Activation hidden_activation, EnsembleInit init,
                                 NetworkKind kind)
    : hidden_activation_(hidden_activation), kind_(kind) {
  int64_t width = input;
  std::vector<int64_t> widths = hidden;
  widths.push_back(output);
  for (size_t i = 0; i < widths.size(); ++i) {
    layers_.push_back(register_module("layer" + std::to_string(i),
                                      EnsembleLinear(members, width, widths[i], init)));
    width = widths[i];
  }
}

torch::Tensor EnsembleMlpImpl::Run(torch::Tensor x, size_t count, bool frozen) {
  const torch::ScalarType output_dtype = x.scalar_type();
  const torch::ScalarType dtype = MatmulDtype(kind_);
  x = CastTo(x, dtype);
  for (size_t i = 0; i < count; ++i) {
    torch::Tensor weight = layers_[i]->weight;
    torch::Tensor bias = layers_[i]->bias;
    if (frozen) {
      weight = weight.detach();
      bias = bias.detach();
    }
    x = Affine(x, CastTo(weight, dtype), CastTo(bias, dtype));
    if (i + 1 < layers_.size()) x = ApplyInPlace(hidden_activation_, x);
  }
  return CastTo(x, output_dtype);
}

torch::Tensor EnsembleMlpImpl::Features(torch::Tensor x) {
  return Run(std::move(x), layers_.size() - 1, /*frozen=*/false);
}

torch::Tensor EnsembleMlpImpl::forward(torch::Tensor x) {
  return Run(std::move(x), layers_.size(), /*frozen=*/false);
}

torch::Tensor EnsembleMlpImpl::FrozenForward(torch::Tensor x) {
  return Run(std::move(x), layers_.size(), /*frozen=*/true);
}

torch::Tensor EnsembleMlpImpl::FrozenMemberForward(torch::Tensor x, int64_t member) {
  const torch::ScalarType output_dtype = x.scalar_type();
  const torch::ScalarType dtype = MatmulDtype(kind_);
  x = CastTo(x, dtype);
  for (size_t i = 0; i < layers_.size(); ++i) {
    x = torch::addmm(CastTo(layers_[i]->bias.detach()[member], dtype), x,
                     CastTo(layers_[i]->weight.detach()[member], dtype));
    if (i + 1 < layers_.size()) x = ApplyInPlace(hidden_activation_, x);
  }
  return CastTo(x, output_dtype);
}

EnsembleMlp TwinCritics(int64_t input, const std::vector<int64_t>& hidden) {
  return EnsembleMlp(2, input, hidden, 1, Activation::kRelu, EnsembleInit::kTorchLinear,
                     NetworkKind::kCritic);
}

}  // namespace romi::learners
