#include <ATen/CPUGeneratorImpl.h>

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "romi/rollout_policy.h"
#include "romi/rollout_policy_registry.h"

namespace romi {
namespace {

using ::testing::HasSubstr;

torch::Generator Seeded(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

RolloutPolicyOptions Options(const std::string& name) {
  RolloutPolicyOptions options;
  options.obs_dim = 2;
  options.act_dim = 1;
  options.max_action = 1.0;
  options.config.set_name(name);
  return options;
}

TEST(RolloutPolicyRegistryTest, UnknownNameListsRegisteredPolicies) {
  const auto policy = CreateRolloutPolicy(Options("diffusion"));
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(policy.status().message(), HasSubstr("cvae, reverse-bc, uniform"));
  RolloutPolicyOptions bad = Options("uniform");
  bad.act_dim = 0;
  EXPECT_EQ(CreateRolloutPolicy(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(UniformRolloutPolicyTest, CoversTheActionBox) {
  RolloutPolicyOptions options = Options("uniform");
  options.act_dim = 3;
  options.max_action = 2.0;
  auto policy = CreateRolloutPolicy(options);
  ASSERT_TRUE(policy.ok());
  torch::Generator generator = Seeded(0);
  const torch::Tensor actions = (*policy)->Sample(torch::zeros({20000, 2}), generator);
  EXPECT_EQ(actions.sizes(), (std::vector<int64_t>{20000, 3}));
  EXPECT_LE(actions.abs().max().item<float>(), 2.0f);
  EXPECT_GT(actions.abs().max().item<float>(), 1.99f);
  EXPECT_NEAR(actions.mean().item<float>(), 0.0f, 0.03f);  // std of the mean ~0.007
}

// Actions are a function of the *next* state: +0.5 when s'_0 > 0, -0.5 otherwise (plus noise);
// the current state is noise. A reverse CVAE must pick up the dependence on s'.
data::Transitions ReverseActionData(int64_t rows) {
  torch::Generator generator = Seeded(1);
  data::Transitions t;
  t.observations = torch::randn({rows, 2}, generator);
  t.next_observations = torch::randn({rows, 2}, generator);
  t.actions = (torch::where(t.next_observations.slice(1, 0, 1) > 0, 0.5, -0.5) +
               0.05 * torch::randn({rows, 1}, generator))
                  .to(torch::kFloat32);
  t.rewards = torch::zeros({rows});
  t.terminals = torch::zeros({rows});
  return t;
}

TEST(CvaeRolloutPolicyTest, LearnsActionsConditionedOnTheNextState) {
  torch::manual_seed(0);
  RolloutPolicyOptions options = Options("cvae");
  options.config.add_hidden(64);
  options.config.add_hidden(64);
  options.config.set_train_steps(1500);
  auto policy = CreateRolloutPolicy(options);
  ASSERT_TRUE(policy.ok());
  torch::Generator generator = Seeded(2);
  int64_t reports = 0;
  ASSERT_TRUE((*policy)
                  ->Train(ReverseActionData(4000), generator,
                          [&](int64_t, double loss) {
                            EXPECT_TRUE(std::isfinite(loss));
                            ++reports;
                          })
                  .ok());
  EXPECT_GT(reports, 0);
  const torch::Tensor positive = torch::tensor({{1.0f, 0.0f}}).expand({500, 2});
  const torch::Tensor negative = torch::tensor({{-1.0f, 0.0f}}).expand({500, 2});
  EXPECT_NEAR((*policy)->Sample(positive, generator).mean().item<float>(), 0.5f, 0.1f);
  EXPECT_NEAR((*policy)->Sample(negative, generator).mean().item<float>(), -0.5f, 0.1f);

  // Save -> Load into a fresh policy gives identical samples.
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/cvae.pt";
  ASSERT_TRUE((*policy)->Save(path).ok());
  auto restored = CreateRolloutPolicy(options);
  ASSERT_TRUE((*restored)->Load(path).ok());
  torch::Generator g1 = Seeded(3);
  torch::Generator g2 = Seeded(3);
  EXPECT_TRUE(torch::equal((*policy)->Sample(positive, g1), (*restored)->Sample(positive, g2)));
  EXPECT_EQ((*restored)->Load(path + ".missing").code(), absl::StatusCode::kDataLoss);
}

TEST(ReverseBcRolloutPolicyTest, LearnsTheMeanActionOfTheNextState) {
  torch::manual_seed(0);
  RolloutPolicyOptions options = Options("reverse-bc");
  options.config.add_hidden(64);
  options.config.add_hidden(64);
  options.config.set_train_steps(1500);
  auto policy = CreateRolloutPolicy(options);
  ASSERT_TRUE(policy.ok());
  torch::Generator generator = Seeded(4);
  ASSERT_TRUE((*policy)->Train(ReverseActionData(4000), generator, nullptr).ok());
  const torch::Tensor positive = torch::tensor({{1.0f, 0.0f}}).expand({500, 2});
  const torch::Tensor negative = torch::tensor({{-1.0f, 0.0f}}).expand({500, 2});
  EXPECT_NEAR((*policy)->Sample(positive, generator).mean().item<float>(), 0.5f, 0.1f);
  EXPECT_NEAR((*policy)->Sample(negative, generator).mean().item<float>(), -0.5f, 0.1f);
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/reverse_bc.pt";
  ASSERT_TRUE((*policy)->Save(path).ok());
  auto restored = CreateRolloutPolicy(options);
  ASSERT_TRUE((*restored)->Load(path).ok());
  torch::Generator g1 = Seeded(5);
  torch::Generator g2 = Seeded(5);
  EXPECT_TRUE(torch::equal((*policy)->Sample(positive, g1), (*restored)->Sample(positive, g2)));
}

}  // namespace
}  // namespace romi
