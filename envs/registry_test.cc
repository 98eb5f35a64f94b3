#include "envs/registry.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "envs/normalized_score.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

TEST(RegistryTest, RegistersEveryD4rlTaskThePaperUses) {
  std::vector<std::string> expected;
  for (const char* maze : {"umaze", "medium", "large"}) {
    expected.push_back(std::string("maze2d-") + maze + "-v1");
    expected.push_back(std::string("maze2d-") + maze + "-dense-v1");
  }
  for (const char* domain : {"hopper", "walker2d", "halfcheetah"}) {
    for (const char* data : {"random", "medium", "medium-replay", "medium-expert", "expert"}) {
      expected.push_back(std::string(domain) + "-" + data + "-v2");
    }
  }
  for (const char* ant :
       {"umaze", "umaze-diverse", "medium-play", "medium-diverse", "large-play", "large-diverse"}) {
    expected.push_back(std::string("antmaze-") + ant + "-v0");
  }
  // Not a dataset task: where the antmaze datasets' low-level policy trains.
  expected.push_back("ant-goal-reaching-v0");
  const std::vector<std::string> registered = RegisteredTasks();
  EXPECT_EQ(registered.size(), expected.size());
  for (const std::string& task : expected) {
    EXPECT_NE(std::find(registered.begin(), registered.end(), task), registered.end()) << task;
  }
}

TEST(RegistryTest, UnknownTaskListsValidNames) {
  const auto env = MakeEnv("hopper-medium-v3");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  const absl::string_view message = env.status().message();
  EXPECT_NE(message.find("unknown task 'hopper-medium-v3'"), absl::string_view::npos);
  EXPECT_NE(message.find("hopper-medium-v2"), absl::string_view::npos);
  EXPECT_NE(message.find("maze2d-large-dense-v1"), absl::string_view::npos);
  EXPECT_EQ(FindSpec("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(RegistryTest, SpecsCarryDimensionsLimitsAndTermination) {
  const EnvSpec hopper = FindSpec("hopper-medium-replay-v2").value();
  EXPECT_EQ(hopper.domain, "hopper");
  EXPECT_EQ(hopper.obs_dim, 11);
  EXPECT_EQ(hopper.act_dim, 3);
  EXPECT_EQ(hopper.max_episode_steps, 1000);
  EXPECT_EQ(hopper.termination.name, "hopper");
  EXPECT_EQ(hopper.action_low, std::vector<double>(3, -1.0));
  const EnvSpec maze = FindSpec("maze2d-large-v1").value();
  EXPECT_EQ(maze.obs_dim, 4);
  EXPECT_EQ(maze.max_episode_steps, 800);
  EXPECT_EQ(maze.termination.name, "never");
  EXPECT_EQ(FindSpec("maze2d-medium-dense-v1").value().max_episode_steps, 600);
  EXPECT_EQ(FindSpec("maze2d-umaze-v1").value().max_episode_steps, 300);
  EXPECT_EQ(FindSpec("halfcheetah-expert-v2").value().termination.name, "never");
  EXPECT_EQ(FindSpec("walker2d-expert-v2").value().termination.name, "walker2d");
  const EnvSpec ant = FindSpec("antmaze-medium-play-v0").value();
  EXPECT_EQ(ant.domain, "antmaze");
  EXPECT_EQ(ant.obs_dim, 29);
  EXPECT_EQ(ant.act_dim, 8);
  EXPECT_EQ(ant.action_high, std::vector<double>(8, 1.0));
  EXPECT_EQ(ant.max_episode_steps, 1000);
  EXPECT_EQ(ant.termination.name, "antmaze-medium");
  EXPECT_EQ(FindSpec("antmaze-umaze-diverse-v0").value().max_episode_steps, 700);
  EXPECT_EQ(FindSpec("antmaze-large-diverse-v0").value().termination.name, "antmaze-large");
}

TEST(NormalizedScoreTest, ReferenceTable) {
  EXPECT_NEAR(NormalizedScore("hopper-medium-v2", -20.272305).value(), 0.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("hopper-expert-v2", 3234.3).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("walker2d-random-v2", 4592.3).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("halfcheetah-medium-v2", (-280.178953 + 12135.0) / 2).value(), 50.0,
              1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-umaze-v1", 161.86).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-medium-v1", 13.13).value(), 0.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-large-v1", 273.99).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-umaze-dense-v1", 68.537689).value(), 0.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-medium-dense-v1", 297.4552547777125).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("maze2d-large-dense-v1", 30.569041).value(), 0.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("antmaze-umaze-v0", 1.0).value(), 100.0, 1e-9);
  EXPECT_NEAR(NormalizedScore("antmaze-large-diverse-v0", 0.3).value(), 30.0, 1e-9);
  EXPECT_EQ(NormalizedScore("antmaze-umaze-v2", 1.0).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace romi::envs
