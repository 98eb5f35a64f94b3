// The tanh-Gaussian head: its log-density against the closed form, sampling, and bounds.
#include "learners/nn/tanh_gaussian.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

TanhGaussianPolicy MakePolicy(double max_action) {
  torch::manual_seed(0);
  TanhGaussianPolicyOptions options;
  options.obs_dim = 3;
  options.act_dim = 2;
  options.hidden = {8};
  options.log_std_min = -5;
  options.log_std_max = 2;
  options.max_action = max_action;
  return TanhGaussianPolicy(options);
}

TEST(TanhGaussianPolicyTest, LogProbMatchesTheChangeOfVariablesFormula) {
  TanhGaussianPolicy policy = MakePolicy(2.0);
  const torch::Tensor s = torch::randn({5, 3});
  const torch::Tensor a = torch::rand({5, 2}) * 3.0 - 1.5;
  auto [mean, log_std] = policy->forward(s);
  // a = 2 tanh(u): log p(a) = log N(u; mean, std) - log(2 (1 - tanh(u)^2)), summed over dims.
  const torch::Tensor u = torch::atanh(a / 2.0);
  const torch::Tensor std = log_std.exp();
  const torch::Tensor normal =
      -0.5 * ((u - mean) / std).square() - log_std - 0.5 * std::log(2 * M_PI);
  const torch::Tensor expected = (normal - torch::log(2.0 * (1 - torch::tanh(u).square()))).sum(1);
  EXPECT_TRUE(torch::allclose(policy->LogProb(s, a), expected, 1e-4, 1e-4));
}

TEST(TanhGaussianPolicyTest, SampleLogProbAgreesWithLogProbOfTheSample) {
  TanhGaussianPolicy policy = MakePolicy(1.0);
  const torch::Tensor s = torch::randn({64, 3});
  const PolicySample sample = policy->Sample(s, at::make_generator<at::CPUGeneratorImpl>(3));
  EXPECT_LT(sample.action.abs().max().item<float>(), 1.0f);
  EXPECT_TRUE(sample.action.requires_grad());  // reparameterized
  const torch::Tensor again = policy->LogProb(s, sample.action.detach());
  // Away from the boundary, where the inverse tanh is exact in float32.
  const torch::Tensor inside = sample.action.abs().amax(1) < 0.99;
  EXPECT_TRUE(torch::allclose(sample.log_prob.detach().masked_select(inside),
                              again.masked_select(inside), 1e-3, 1e-3));
  EXPECT_TRUE(torch::isfinite(policy->LogProb(s, torch::ones({64, 2}))).all().item<bool>());
}

TEST(TanhGaussianPolicyTest, DeterministicIsTheSquashedMean) {
  TanhGaussianPolicy policy = MakePolicy(0.5);
  const torch::Tensor s = torch::randn({4, 3});
  EXPECT_TRUE(
      torch::allclose(policy->Deterministic(s), 0.5 * torch::tanh(policy->forward(s).first)));
  const torch::Tensor log_std = policy->forward(torch::randn({100, 3}) * 1e3).second;
  EXPECT_GE(log_std.min().item<float>(), -5.0f);
  EXPECT_LE(log_std.max().item<float>(), 2.0f);
}

}  // namespace
}  // namespace romi::learners
