#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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

TEST(UniformRolloutPolicyTest, SavesItsActionBoxAndRefusesAnother) {
  RolloutPolicyOptions options = Options("uniform");
  options.act_dim = 3;
  options.max_action = 2.0;
  const std::string path = ::testing::TempDir() + "/uniform_policy.pt";
  ASSERT_TRUE((*CreateRolloutPolicy(options))->Save(path).ok());
  EXPECT_TRUE((*CreateRolloutPolicy(options))->Load(path).ok());
  options.max_action = 1.0;
  const absl::Status other = (*CreateRolloutPolicy(options))->Load(path);
  EXPECT_EQ(other.code(), absl::StatusCode::kDataLoss) << other;
  EXPECT_THAT(other.message(), HasSubstr(path));
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
                            return absl::OkStatus();
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

TEST(CvaeRolloutPolicyTest, InterruptedTrainingResumesFromItsCheckpointBitIdentically) {
  torch::set_num_threads(1);  // bit-identical results need a fixed thread count
  RolloutPolicyOptions options = Options("cvae");
  options.config.add_hidden(16);
  options.config.set_train_steps(60);
  options.checkpoint_every = 20;
  const data::Transitions data = ReverseActionData(500);
  torch::manual_seed(0);
  auto reference = CreateRolloutPolicy(options);
  ASSERT_TRUE(reference.ok());
  torch::Generator reference_generator = Seeded(6);
  ASSERT_TRUE(
      (*reference)
          ->Train(data, reference_generator, [](int64_t, double) { return absl::OkStatus(); })
          .ok());

  options.training_checkpoint = std::string(std::getenv("TEST_TMPDIR")) + "/cvae_training.pt";
  std::remove(options.training_checkpoint.c_str());
  torch::manual_seed(0);
  auto interrupted = CreateRolloutPolicy(options);
  torch::Generator generator = Seeded(6);
  const absl::Status stopped = (*interrupted)->Train(data, generator, [](int64_t step, double) {
    return step == 40 ? absl::CancelledError("end of the working period") : absl::OkStatus();
  });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled) << stopped;
  // A new process: fresh weights and generator, the state comes from the checkpoint.
  torch::manual_seed(1);
  auto resumed = CreateRolloutPolicy(options);
  torch::Generator resumed_generator = Seeded(99);
  std::vector<int64_t> steps;
  ASSERT_TRUE((*resumed)
                  ->Train(data, resumed_generator,
                          [&](int64_t step, double) {
                            steps.push_back(step);
                            return absl::OkStatus();
                          })
                  .ok());
  EXPECT_EQ(steps, (std::vector<int64_t>{60}));  // only the steps after the checkpoint ran
  const torch::Tensor states = torch::tensor({{1.0f, 0.0f}}).expand({50, 2});
  torch::Generator g1 = Seeded(7);
  torch::Generator g2 = Seeded(7);
  EXPECT_TRUE(torch::equal((*reference)->Sample(states, g1), (*resumed)->Sample(states, g2)));

  // Another config refuses the checkpoint.
  options.config.set_learning_rate(options.config.learning_rate() * 2);
  auto other = CreateRolloutPolicy(options);
  const absl::Status refused =
      (*other)->Train(data, generator, [](int64_t, double) { return absl::OkStatus(); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
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
