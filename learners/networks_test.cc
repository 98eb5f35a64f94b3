// Building blocks: shapes, the ensemble-as-one-matmul identity, initialization and the CVAE.
#include <ATen/CPUGeneratorImpl.h>

#include "gtest/gtest.h"
#include "learners/activation.h"
#include "learners/conditional_vae.h"
#include "learners/ensemble_linear.h"
#include "learners/mlp.h"

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
  EnsembleMlp ensemble(2, 3, std::vector<int64_t>{8, 8}, 1, Activation::kRelu, EnsembleInit::kTorchLinear);
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

}  // namespace
}  // namespace romi::learners
