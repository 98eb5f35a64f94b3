// Building blocks: shapes, the ensemble-as-one-matmul identity, initialization, the Gaussian
// ensemble's log-variance bounds and the CVAE.
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "learners/nn/activation.h"
#include "learners/nn/conditional_vae.h"
#include "learners/nn/ensemble_linear.h"
#include "learners/nn/gaussian_ensemble.h"
#include "learners/nn/mlp.h"

namespace romi::learners {
namespace {

TEST(ActivationTest, ParsesNamesAndRejectsUnknown) {
  EXPECT_EQ(*ParseActivation("swish"), Activation::kSwish);
  EXPECT_EQ(ParseActivation("gelu").status().code(), absl::StatusCode::kInvalidArgument);
  const torch::Tensor x = torch::tensor({-1.0f, 2.0f});
  EXPECT_TRUE(torch::allclose(Apply(Activation::kSwish, x), x * torch::sigmoid(x)));
  EXPECT_TRUE(torch::equal(Apply(Activation::kRelu, x), torch::tensor({0.0f, 2.0f})));
}

TEST(MlpTest, ShapesAndOutputActivation) {
  torch::manual_seed(0);
  Mlp mlp(5, std::vector<int64_t>{16, 8}, 3, Activation::kRelu, Activation::kTanh);
  const torch::Tensor y = mlp->forward(torch::randn({10, 5}) * 100);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{10, 3}));
  EXPECT_LE(y.abs().max().item<float>(), 1.0f);
  EXPECT_EQ(mlp->parameters().size(), 6u);
}

TEST(EnsembleLinearTest, EqualsEachMemberAsItsOwnLinearLayer) {
  torch::manual_seed(1);
  EnsembleLinear layer(3, 4, 2, EnsembleInit::kTorchLinear);
  const torch::Tensor x = torch::randn({3, 7, 4});
  const torch::Tensor y = layer->forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{3, 7, 2}));
  for (int e = 0; e < 3; ++e) {
    const torch::Tensor expected = x[e].matmul(layer->weight[e]) + layer->bias[e];
    EXPECT_TRUE(torch::allclose(y[e], expected, 1e-5, 1e-6)) << "member " << e;
  }
  // A shared [B, in] input is the same as the input repeated for every member.
  const torch::Tensor shared = torch::randn({7, 4});
  EXPECT_TRUE(torch::allclose(layer->forward(shared), layer->forward(shared.expand({3, 7, 4})),
                              1e-5, 1e-6));
}

TEST(EnsembleLinearTest, TruncatedNormalInitStaysWithinTwoStd) {
  torch::manual_seed(2);
  EnsembleLinear layer(7, 200, 200, EnsembleInit::kTruncatedNormal);
  const double std = 1.0 / (2.0 * std::sqrt(200.0));
  EXPECT_LE(layer->weight.abs().max().item<double>(), 2 * std);
  // A normal truncated at 2 sigma has std 0.880 sigma.
  EXPECT_NEAR(layer->weight.std().item<double>(), 0.880 * std, 0.02 * std);
  EXPECT_EQ(layer->bias.abs().max().item<float>(), 0.0f);
}

TEST(EnsembleMlpTest, MembersAreIndependent) {
  torch::manual_seed(3);
  EnsembleMlp ensemble(2, 3, std::vector<int64_t>{8, 8}, 1, Activation::kRelu,
                       EnsembleInit::kTorchLinear);
  const torch::Tensor x = torch::randn({5, 3});
  const torch::Tensor y = ensemble->forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 5, 1}));
  // A gradient of member 0's output touches only member 0's slice of every layer.
  y[0].sum().backward();
  for (const EnsembleLinear& layer : ensemble->layers()) {
    EXPECT_GT(layer->weight.grad()[0].abs().sum().item<float>(), 0.0f);
    EXPECT_EQ(layer->weight.grad()[1].abs().sum().item<float>(), 0.0f);
  }
}

TEST(GaussianEnsembleTest, LogVarianceStaysWithinItsBounds) {
  torch::manual_seed(0);
  GaussianEnsemble net(3, 4, 2, 2, 16, /*max_log_var_init=*/0.5,
                       /*min_log_var_init=*/-10);
  const GaussianOutput out = net->forward(torch::randn({50, 4}) * 1000);
  EXPECT_EQ(out.mean.sizes(), (std::vector<int64_t>{3, 50, 2}));
  // The two softplus bounds compose: the exact range is (min, min + softplus(max - min)), i.e.
  // max plus log(1 + e^-(max - min)) = 2.8e-5 here.
  const double upper = -10 + std::log1p(std::exp(10.5));
  EXPECT_LE(out.log_var.max().item<float>(), upper + 1e-6);
  EXPECT_GT(out.log_var.max().item<float>(), 0.49f);  // the huge inputs do reach the bound
  EXPECT_GE(out.log_var.min().item<float>(), -10.0f);
}

TEST(ConditionalVaeTest, ShapesBoundsAndFiniteLoss) {
  torch::manual_seed(4);
  ConditionalVaeOptions options;
  options.condition_dim = 3;
  options.data_dim = 2;
  options.hidden = {32, 32};
  options.max_value = 0.5;
  ConditionalVae vae(options);
  EXPECT_EQ(vae->options().latent_dim, 4);
  const torch::Tensor c = torch::randn({6, 3});
  const torch::Tensor x = torch::rand({6, 2}) - 0.5;
  const VaeOutput out = vae->forward(c, x);
  EXPECT_EQ(out.reconstruction.sizes(), (std::vector<int64_t>{6, 2}));
  EXPECT_EQ(out.mean.sizes(), (std::vector<int64_t>{6, 4}));
  EXPECT_TRUE(torch::isfinite(ConditionalVaeImpl::Loss(out, x)).item<bool>());
  const torch::Tensor samples = vae->Sample(c);
  EXPECT_LE(samples.abs().max().item<float>(), 0.5f);
}

TEST(ConditionalVaeTest, SamplingIsReproducibleWithAGenerator) {
  torch::manual_seed(5);
  ConditionalVaeOptions options;
  options.condition_dim = 2;
  options.data_dim = 1;
  options.hidden = {16};
  ConditionalVae vae(options);
  const torch::Tensor c = torch::randn({4, 2});
  const torch::Tensor a = vae->Sample(c, at::make_generator<at::CPUGeneratorImpl>(7));
  const torch::Tensor b = vae->Sample(c, at::make_generator<at::CPUGeneratorImpl>(7));
  EXPECT_TRUE(torch::equal(a, b));
}

// Known answer: half the actions sit at mode +(0.6 + 0.3 s), half at mode -(0.6 + 0.3 s). The VAE
// must reconstruct each action and its prior samples must land near the modes, both of them. A
// unimodal fit (the conditional mean, 0) scores MSE 0.39 and mean distance 0.6; the VAE, whose
// 0.5-weighted KL keeps it somewhat blurry, reaches about 0.05 and 0.17.
TEST(ConditionalVaeTest, LearnsATwoModeActionDistributionConditionedOnState) {
  torch::manual_seed(8);
  ConditionalVaeOptions options;
  options.condition_dim = 1;
  options.data_dim = 1;
  options.hidden = {64, 64};
  ConditionalVae vae(options);
  torch::optim::Adam adam(vae->parameters(), torch::optim::AdamOptions(1e-3));
  auto mode = [](const torch::Tensor& s) { return 0.6 + 0.3 * s; };
  for (int step = 0; step < 3000; ++step) {
    const torch::Tensor s = torch::rand({100, 1}) * 2 - 1;
    const torch::Tensor sign = torch::randint(0, 2, {100, 1}).to(torch::kFloat) * 2 - 1;
    const torch::Tensor a = sign * mode(s);
    const torch::Tensor loss = ConditionalVaeImpl::Loss(vae->forward(s, a), a);
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor s = torch::rand({1000, 1}) * 2 - 1;
  const torch::Tensor a = (torch::arange(1000) % 2).to(torch::kFloat).unsqueeze(1) * 2 - 1;
  const torch::Tensor target = a * mode(s);
  EXPECT_LT(torch::mse_loss(vae->forward(s, target).reconstruction, target).item<double>(), 0.1);
  const torch::Tensor samples = vae->Sample(s);
  const torch::Tensor distance = torch::min((samples - mode(s)).abs(), (samples + mode(s)).abs());
  EXPECT_LT(distance.mean().item<double>(), 0.3);
  const double upper = (samples > 0).to(torch::kFloat).mean().item<double>();
  EXPECT_GT(upper, 0.25);
  EXPECT_LT(upper, 0.75);
}

}  // namespace
}  // namespace romi::learners
