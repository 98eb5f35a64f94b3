#include "learners/nn/tanh_gaussian.h"

#include <cmath>

namespace romi::learners {

TanhGaussianPolicyImpl::TanhGaussianPolicyImpl(const TanhGaussianPolicyOptions& options)
    : options_(options) {
  net_ = register_module(
      "net", Mlp(options_.obs_dim, options_.hidden, 2 * options_.act_dim, Activation::kRelu));
}

std::pair<torch::Tensor, torch::Tensor> TanhGaussianPolicyImpl::forward(
    const torch::Tensor& observations) {
  std::vector<torch::Tensor> out = net_->forward(observations).chunk(2, 1);
  return {out[0], out[1].clamp(options_.log_std_min, options_.log_std_max)};
}

torch::Tensor TanhGaussianPolicyImpl::SquashedLogProb(const torch::Tensor& u,
                                                      const torch::Tensor& standardized,
                                                      const torch::Tensor& log_std) const {
  static const double kHalfLog2Pi = 0.5 * std::log(2.0 * M_PI);
  const torch::Tensor gaussian = -0.5 * standardized.square() - log_std - kHalfLog2Pi;
  // log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)): exact and stable where tanh(u) -> +-1.
  const torch::Tensor log_det = 2.0 * (std::log(2.0) - u - torch::softplus(-2.0 * u));
  return (gaussian - log_det).sum(1) - options_.act_dim * std::log(options_.max_action);
}

PolicySample TanhGaussianPolicyImpl::Sample(const torch::Tensor& observations,
                                            c10::optional<torch::Generator> generator) {
  auto [mean, log_std] = forward(observations);
  return SampleFrom(mean, log_std, generator);
}

PolicySample TanhGaussianPolicyImpl::SampleFrom(const torch::Tensor& mean,
                                                const torch::Tensor& log_std,
                                                c10::optional<torch::Generator> generator) const {
  const torch::Tensor eps = at::randn(mean.sizes(), generator, mean.options());
  const torch::Tensor u = mean + log_std.exp() * eps;
  return {options_.max_action * torch::tanh(u), SquashedLogProb(u, eps, log_std)};
}

torch::Tensor TanhGaussianPolicyImpl::LogProb(const torch::Tensor& observations,
                                              const torch::Tensor& actions) {
  auto [mean, log_std] = forward(observations);
  const double bound = 1.0 - 1e-6;
  const torch::Tensor u = torch::atanh((actions / options_.max_action).clamp(-bound, bound));
  return SquashedLogProb(u, (u - mean) * (-log_std).exp(), log_std);
}

torch::Tensor TanhGaussianPolicyImpl::Deterministic(const torch::Tensor& observations) {
  return options_.max_action * torch::tanh(forward(observations).first);
}

}  // namespace romi::learners
