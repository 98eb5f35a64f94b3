#include "datagen/dataset_generators.h"

#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "data/d4rl_file.h"
#include "data/dataset.h"
#include "data/fingerprint.h"
#include "datagen/maze2d_generator.h"
#include "envs/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

using ::testing::HasSubstr;

data::D4rlFile Generate(const std::string& task, int64_t rows, uint64_t seed) {
  absl::StatusOr<data::D4rlFile> file = GenerateDataset(task, {rows, seed, nullptr});
  EXPECT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(data::ValidateD4rlFile(*file, task).ok());
  return std::move(file).value();
}

bool SameArrays(const data::D4rlFile& a, const data::D4rlFile& b) {
  return data::FingerprintArrays(a) == data::FingerprintArrays(b) &&
         torch::equal(a.observations, b.observations) && torch::equal(a.actions, b.actions) &&
         torch::equal(a.rewards, b.rewards);
}

TEST(DatasetGeneratorsTest, UnknownTaskListsTheGeneratableOnes) {
  const absl::StatusOr<data::D4rlFile> file =
      GenerateDataset("ant-goal-reaching-v0", {10, 0, nullptr});
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr("maze2d-umaze-v1"));
  EXPECT_THAT(file.status().message(), HasSubstr("hopper-random-v2"));
  EXPECT_EQ(GenerateDataset("maze2d-umaze-v1", {0, 0, nullptr}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DatasetGeneratorsTest, EveryGeneratableTaskIsARegisteredEnv) {
  for (const std::string& task : GeneratableTasks()) {
    EXPECT_TRUE(envs::FindSpec(task).ok()) << task;
    EXPECT_GT(FindGenerator(task)->d4rl_rows, 0);
  }
  EXPECT_EQ(FindGenerator("maze2d-large-v1")->d4rl_rows, 4'000'000);
}

TEST(PolicyDatasetTest, HopperMediumComesFromTheShippedPolicy) {
  const data::D4rlFile file = Generate("hopper-medium-v2", 3000, 0);
  EXPECT_TRUE(data::ValidateD4rlFile(file, "hopper-medium-v2").ok());
  EXPECT_EQ(file.metadata_strings.at("romi_recipe"), "sac-behaviour-policy/2");
  EXPECT_EQ(file.metadata.count("policy/net/linear0/weight"), 1u);
  // A medium hopper hops: its episodes are far longer and better than a random policy's
  // (random: ~20 steps and ~18 return per episode).
  const double episodes = (file.terminals + file.timeouts).sum().item<double>();
  ASSERT_GT(episodes, 0);
  EXPECT_GT(3000 / episodes, 100);
  EXPECT_GT(file.rewards.sum().item<double>() / episodes, 300);
  EXPECT_TRUE(SameArrays(file, Generate("hopper-medium-v2", 3000, 0)));
}

TEST(PolicyDatasetTest, EveryShippedPolicyDatasetGeneratesAValidFile) {
  int policy_tasks = 0;
  for (const std::string& task : GeneratableTasks()) {
    if (FindGenerator(task)->recipe != "sac-behaviour-policy/2") continue;
    SCOPED_TRACE(task);
    ++policy_tasks;
    const data::D4rlFile file = Generate(task, 1000, 0);
    EXPECT_EQ(file.observations.size(0), 1000);
    EXPECT_EQ(file.infos.count("action_log_probs"), 1u);
  }
  EXPECT_GE(policy_tasks, 9);  // medium, expert and medium-expert of the three envs
}

TEST(PolicyDatasetTest, HopperExpertHopsFartherThanMedium) {
  // Sampled actions. Measured on the 1e6-row files: medium episodes 385 steps and 1 203 return
  // on average, expert 957 steps and 3 145 return.
  const data::D4rlFile medium = Generate("hopper-medium-v2", 10000, 0);
  const data::D4rlFile expert = Generate("hopper-expert-v2", 10000, 0);
  const double medium_episodes = (medium.terminals + medium.timeouts).sum().item<double>();
  const double expert_episodes = (expert.terminals + expert.timeouts).sum().item<double>();
  ASSERT_GT(expert_episodes, 0);
  EXPECT_GT(medium_episodes, 1.5 * expert_episodes);
  EXPECT_GT(expert.rewards.sum().item<double>() / expert_episodes,
            2 * medium.rewards.sum().item<double>() / medium_episodes);
}

TEST(Maze2dDatasetTest, LayoutAndRelabelledRewards) {
  const data::D4rlFile file = Generate("maze2d-umaze-v1", 20000, 0);
  EXPECT_EQ(file.observations.sizes(), (std::vector<int64_t>{20000, 4}));
  EXPECT_EQ(file.actions.sizes(), (std::vector<int64_t>{20000, 2}));
  EXPECT_EQ(file.rewards.sizes(), (std::vector<int64_t>{20000}));
  for (const torch::Tensor* t :
       {&file.observations, &file.actions, &file.rewards, &file.terminals, &file.timeouts}) {
    EXPECT_EQ(t->dtype(), torch::kFloat32);
  }
  EXPECT_FALSE(file.next_observations.defined());
  EXPECT_EQ(file.terminals.sum().item<float>(), 0.0f);
  EXPECT_LE(file.actions.abs().max().item<float>(), 1.0f);
  EXPECT_TRUE(torch::equal(file.infos.at("qpos"), file.observations.slice(1, 0, 2)));
  EXPECT_TRUE(torch::equal(file.infos.at("qvel"), file.observations.slice(1, 2, 4)));
  EXPECT_EQ(file.infos.at("goal").sizes(), (std::vector<int64_t>{20000, 2}));
  EXPECT_EQ(file.metadata_strings.at("romi_task"), "maze2d-umaze-v1");

  // Relabelled against the goal cell G = (1, 1) on observations[t].
  const torch::Tensor d = (file.observations.slice(1, 0, 2).to(torch::kFloat64) -
                           torch::tensor({1.0, 1.0}, torch::kFloat64))
                              .norm(2, 1);
  EXPECT_TRUE(torch::equal(file.rewards, (d <= 0.5).to(torch::kFloat32)));
  const data::D4rlFile dense = Generate("maze2d-umaze-dense-v1", 20000, 0);
  EXPECT_TRUE(torch::equal(dense.observations, file.observations));
  EXPECT_TRUE(torch::allclose(dense.rewards.to(torch::kFloat64), torch::exp(-d), 1e-6, 1e-6));

  const absl::StatusOr<data::Dataset> dataset =
      data::Dataset::FromD4rlFile(file, data::DatasetOptions(), "umaze");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_GT(dataset->num_episodes(), 50);
}

// A timeout marks exactly the rows where the controller found the target reached: the position
// within 0.1 of the target's cell and a step displacement below 0.1 (measured from the start
// cell's nominal point on a target's first row); the target changes right after, and only then.
TEST(Maze2dDatasetTest, TimeoutsExactlyWhereTargetsWereReached) {
  const data::D4rlFile file = Generate("maze2d-medium-v1", 20000, 1);
  const auto obs = file.observations.accessor<float, 2>();
  const auto goal = file.infos.at("goal").accessor<float, 2>();
  const auto timeout = file.timeouts.accessor<float, 1>();
  int64_t reached = 0;
  bool first_row_of_target = true;
  for (int64_t t = 0; t < file.size(); ++t) {
    const double x = obs[t][0], y = obs[t][1];
    const double px = first_row_of_target ? std::round(x) : obs[t - 1][0];
    const double py = first_row_of_target ? std::round(y) : obs[t - 1][1];
    const double distance = std::hypot(x - std::round(goal[t][0]), y - std::round(goal[t][1]));
    const double moved = std::hypot(x - px, y - py);
    // float32 storage blurs the thresholds by ~1e-6: skip rows on the edge.
    if (std::abs(distance - 0.1) > 1e-5 && std::abs(moved - 0.1) > 1e-5) {
      EXPECT_EQ(timeout[t] == 1, distance < 0.1 && moved < 0.1) << "row " << t;
    }
    if (t + 1 < file.size()) {
      const bool changed = goal[t + 1][0] != goal[t][0] || goal[t + 1][1] != goal[t][1];
      EXPECT_EQ(changed, timeout[t] == 1) << "row " << t;
    }
    reached += timeout[t] == 1;
    first_row_of_target = timeout[t] == 1;
  }
  EXPECT_GT(reached, 40);
}

TEST(Maze2dDatasetTest, DeterministicInTheSeedAndPrefixesAgree) {
  const data::D4rlFile a = Generate("maze2d-large-v1", 4000, 5);
  EXPECT_TRUE(SameArrays(a, Generate("maze2d-large-v1", 4000, 5)));
  EXPECT_FALSE(SameArrays(a, Generate("maze2d-large-v1", 4000, 6)));
  const data::D4rlFile prefix = Generate("maze2d-large-v1", 1000, 5);
  EXPECT_TRUE(torch::equal(prefix.observations, a.observations.slice(0, 0, 1000)));
}

TEST(Maze2dDatasetTest, ControllerScoresAtLeastTheReferenceWhenPlanningEveryEpisode) {
  const absl::StatusOr<ControllerScore> replan =
      EvaluateWaypointController("maze2d-umaze-v1", 10, 0, /*replan_each_episode=*/true);
  ASSERT_TRUE(replan.ok()) << replan.status();
  ASSERT_EQ(replan->returns.size(), 10u);
  EXPECT_EQ(replan->ended_at_goal, 10);
  double mean = 0.0;
  for (double s : replan->normalized_scores) mean += s / 10;
  EXPECT_GT(mean, 100.0);
  // D4RL's protocol (one plan for all episodes) can only do worse.
  const absl::StatusOr<ControllerScore> once =
      EvaluateWaypointController("maze2d-umaze-v1", 10, 0, /*replan_each_episode=*/false);
  ASSERT_TRUE(once.ok()) << once.status();
  EXPECT_LE(once->ended_at_goal, 10);
  EXPECT_EQ(once->returns[0], replan->returns[0]);  // The first episode plans in both.
}

// Episode lengths and flags of a random-policy dataset: an episode ends at a terminal (the env's
// termination rule on the transition) or a timeout (its 1000th step), never both, and successive
// rows of an episode chain (next_observations[t] == observations[t + 1]).
void CheckRandomPolicyDataset(const std::string& task, int64_t rows) {
  const data::D4rlFile file = Generate(task, rows, 0);
  const absl::StatusOr<envs::EnvSpec> spec = envs::FindSpec(task);
  ASSERT_TRUE(spec.ok());
  ASSERT_EQ(file.observations.size(1), spec->obs_dim);
  ASSERT_EQ(file.next_observations.sizes(), file.observations.sizes());
  EXPECT_LE(file.actions.abs().max().item<float>(), 1.0f);
  EXPECT_EQ(file.infos.at("qpos").size(0), rows);
  EXPECT_EQ(file.infos.at("qvel").size(0), rows);
  const auto obs = file.observations.accessor<float, 2>();
  const auto next = file.next_observations.accessor<float, 2>();
  const float* actions = file.actions.data_ptr<float>();
  const auto terminal = file.terminals.accessor<float, 1>();
  const auto timeout = file.timeouts.accessor<float, 1>();
  int64_t length = 0, episodes = 0;
  for (int64_t t = 0; t < rows; ++t) {
    ++length;
    const bool rule =
        spec->termination.rule_f32(&obs[t][0], actions + t * spec->act_dim, &next[t][0]);
    EXPECT_EQ(terminal[t] == 1, rule) << task << " row " << t;
    EXPECT_EQ(timeout[t] == 1, length == 1000 && !rule) << task << " row " << t;
    if (terminal[t] == 1 || timeout[t] == 1) {
      length = 0;
      ++episodes;
    } else if (t + 1 < rows) {
      for (int64_t k = 0; k < spec->obs_dim; ++k) ASSERT_EQ(next[t][k], obs[t + 1][k]);
    }
    EXPECT_LE(length, 1000);
  }
  EXPECT_GT(episodes, 1) << task;
  EXPECT_TRUE(SameArrays(file, Generate(task, rows, 0)));
  EXPECT_FALSE(SameArrays(file, Generate(task, rows, 1)));
}

TEST(RandomPolicyDatasetTest, Hopper) { CheckRandomPolicyDataset("hopper-random-v2", 5000); }
TEST(RandomPolicyDatasetTest, Walker2d) { CheckRandomPolicyDataset("walker2d-random-v2", 5000); }
TEST(RandomPolicyDatasetTest, HalfCheetahTimesOutEvery1000Steps) {
  CheckRandomPolicyDataset("halfcheetah-random-v2", 2500);
  const data::D4rlFile file = Generate("halfcheetah-random-v2", 2500, 0);
  EXPECT_TRUE(torch::equal(file.timeouts.nonzero().reshape({-1}),
                           torch::tensor({999, 1999}, torch::kLong)));
}

}  // namespace
}  // namespace romi::datagen
