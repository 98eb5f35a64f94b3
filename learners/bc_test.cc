// Known answer: behaviour cloning recovers a linear policy from noisy demonstrations.
#include "learners/bc.h"

#include "gtest/gtest.h"
#include "learners/learner_registry.h"

namespace romi::learners {
namespace {

TEST(BcTest, RecoversALinearPolicy) {
  LearnerOptions options;
  options.obs_dim = 3;
  options.act_dim = 2;
  options.config.set_algorithm("bc");
  for (int64_t w : {64, 64}) options.config.mutable_bc()->add_hidden(w);
  options.seed = 5;
  absl::StatusOr<std::unique_ptr<Learner>> bc = LearnerRegistry::Create(options);
  ASSERT_TRUE(bc.ok()) << bc.status();

  const torch::Tensor weight = torch::tensor({{0.3f, -0.2f}, {0.1f, 0.25f}, {-0.2f, 0.1f}});
  const torch::Tensor bias = torch::tensor({0.1f, -0.05f});
  auto expert = [&](const torch::Tensor& s) { return s.matmul(weight) + bias; };  // |a| < 0.8
  torch::manual_seed(6);
  for (int step = 0; step < 1500; ++step) {
    const torch::Tensor s = torch::rand({128, 3}) * 2 - 1;
    const torch::Tensor a = expert(s) + 0.02 * torch::randn({128, 2});
    (*bc)->Update({s, a, torch::zeros({128}), s, torch::zeros({128})});
  }
  const torch::Tensor s = torch::rand({500, 3}) * 2 - 1;
  const double error = ((*bc)->Act(s, true) - expert(s)).abs().max().item<double>();
  EXPECT_LT(error, 0.05);
}

}  // namespace
}  // namespace romi::learners
