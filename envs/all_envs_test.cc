// Steps every registered task with random actions: shapes, finiteness, bounds, episode length,
// truncation, determinism, and thread independence.
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "envs/ant_maze_env.h"
#include "envs/env.h"
#include "envs/maze2d_env.h"
#include "envs/mujoco_env.h"
#include "envs/mujoco_model.h"
#include "envs/registry.h"
#include "envs/termination.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

struct Trajectory {
  std::vector<std::vector<double>> observations;
  std::vector<double> rewards;
  bool terminated = false;
  bool truncated = false;
};

std::vector<double> RandomAction(const EnvSpec& spec, std::mt19937_64& rng) {
  std::vector<double> action(spec.act_dim);
  for (int i = 0; i < spec.act_dim; ++i) {
    action[i] =
        std::uniform_real_distribution<double>(spec.action_low[i], spec.action_high[i])(rng);
  }
  return action;
}

void ExpectValidObservation(const EnvSpec& spec, const std::vector<double>& obs) {
  ASSERT_EQ(obs.size(), size_t(spec.obs_dim)) << spec.task;
  for (double x : obs) ASSERT_TRUE(std::isfinite(x)) << spec.task;
}

// One episode (up to the time limit) under a seeded random policy, checking every step.
Trajectory RunEpisode(Env& env, uint64_t seed) {
  const EnvSpec& spec = env.Spec();
  std::mt19937_64 policy_rng(seed + 1000);
  Trajectory trajectory;
  trajectory.observations.push_back(env.Reset(seed));
  ExpectValidObservation(spec, trajectory.observations.back());
  for (int t = 1; t <= spec.max_episode_steps; ++t) {
    const std::vector<double> action = RandomAction(spec, policy_rng);
    absl::StatusOr<StepResult> result = env.Step(action);
    EXPECT_TRUE(result.ok()) << spec.task << " step " << t << ": " << result.status();
    if (!result.ok()) break;
    ExpectValidObservation(spec, result->observation);
    EXPECT_TRUE(std::isfinite(result->reward)) << spec.task;
    EXPECT_EQ(result->truncated, t == spec.max_episode_steps && !result->terminated)
        << spec.task << " step " << t;
    if (auto* mujoco = dynamic_cast<MujocoEnv*>(&env)) {
      EXPECT_TRUE(CheckNoWarnings(mujoco->data()).ok()) << spec.task;
    }
    if (auto* maze = dynamic_cast<Maze2dEnv*>(&env)) {
      // Walls block: the particle's centre never enters a wall cell's box.
      const auto world = QposToWorld(result->observation[0], result->observation[1]);
      EXPECT_FALSE(maze->layout().IsWall(WorldToWallCell(world[0], world[1]))) << spec.task;
      EXPECT_GE(result->reward, 0.0);
      EXPECT_LE(result->reward, 1.0);
    }
    if (spec.termination.name == "hopper" || spec.termination.name == "walker2d") {
      // Observation = qpos[1:] + qvel with nq == nv, so qvel starts at (obs_dim - 1) / 2.
      for (int i = (spec.obs_dim - 1) / 2; i < spec.obs_dim; ++i) {
        EXPECT_LE(std::abs(result->observation[i]), 10.0) << spec.task;  // Clipped qvel.
      }
    }
    const absl::StatusOr<bool> rule_says =
        IsTerminal(spec.termination, trajectory.observations.back(), action, result->observation);
    EXPECT_TRUE(rule_says.ok()) << rule_says.status();
    if (auto* ant = dynamic_cast<AntMazeEnv*>(&env)) {
      // The episode ends at its own goal; the spec's rule uses the goals' centre (ant_maze_env.h).
      EXPECT_EQ(result->terminated, ant->AtGoal()) << spec.task << " step " << t;
      EXPECT_EQ(result->reward, ant->AtGoal() ? 1.0 : 0.0) << spec.task;
    } else if (rule_says.value_or(false)) {
      // The env's termination is the spec's rule; the env evaluates it on unclipped velocities,
      // which can only add terminations (when some |qvel| >= 100).
      EXPECT_TRUE(result->terminated) << spec.task << " step " << t;
    }
    trajectory.observations.push_back(result->observation);
    trajectory.rewards.push_back(result->reward);
    trajectory.terminated = result->terminated;
    trajectory.truncated = result->truncated;
    if (result->terminated || result->truncated) break;
  }
  return trajectory;
}

class AllEnvsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AllEnvsTest, RandomEpisodesAreValidAndDeterministic) {
  const std::string& task = GetParam();
  absl::StatusOr<std::unique_ptr<Env>> env = MakeEnv(task);
  ASSERT_TRUE(env.ok()) << env.status();
  const EnvSpec& spec = (*env)->Spec();
  EXPECT_EQ(spec.task, task);
  ASSERT_EQ(spec.action_low.size(), size_t(spec.act_dim));
  ASSERT_EQ(spec.action_high.size(), size_t(spec.act_dim));
  EXPECT_EQ(spec.termination.obs_dim, spec.obs_dim);
  EXPECT_EQ(spec.termination.act_dim, spec.act_dim);
  EXPECT_LT(spec.ref_min_score, spec.ref_max_score);

  const Trajectory first = RunEpisode(**env, 7);
  EXPECT_TRUE(first.terminated || first.truncated) << task;
  EXPECT_LE(first.rewards.size(), size_t(spec.max_episode_steps));
  if (first.truncated) {
    EXPECT_EQ(first.rewards.size(), size_t(spec.max_episode_steps));
  }

  // Same seed, fresh instance: bit-identical.
  std::unique_ptr<Env> other = MakeEnv(task).value();
  const Trajectory second = RunEpisode(*other, 7);
  EXPECT_EQ(first.observations, second.observations) << task;
  EXPECT_EQ(first.rewards, second.rewards) << task;
  // Same instance after another episode: still bit-identical (no state leaks across resets).
  RunEpisode(**env, 8);
  EXPECT_EQ(RunEpisode(**env, 7).observations, first.observations) << task;
  // Another seed: another start.
  EXPECT_NE((*env)->Reset(9), first.observations[0]) << task;
}

TEST_P(AllEnvsTest, ParallelInstancesMatchSequentialOnes) {
  const std::string& task = GetParam();
  constexpr int kThreads = 4;
  std::vector<Trajectory> sequential(kThreads), parallel(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    sequential[i] = RunEpisode(*MakeEnv(task).value(), 100 + i);
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { parallel[i] = RunEpisode(*MakeEnv(task).value(), 100 + i); });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(parallel[i].observations, sequential[i].observations) << task << " thread " << i;
  }
}

// Replaying a recorded step from its observation gives the recorded next observation and reward:
// what the model-fidelity check (eval/model_fidelity.h) relies on.
TEST_P(AllEnvsTest, StepsReplayFromTheirObservations) {
  const std::string& task = GetParam();
  std::unique_ptr<Env> env = MakeEnv(task).value();
  std::unique_ptr<Env> replay = MakeEnv(task).value();
  const EnvSpec& spec = env->Spec();
  if (spec.domain == "ant-goal") {
    // Not a dataset task: its observation has a direction instead of the torso's xy.
    EXPECT_EQ(replay->SetStateFromObservation(env->Reset(11)).code(),
              absl::StatusCode::kUnimplemented);
    GTEST_SKIP() << task << " cannot be replayed from its observations (ant_goal_env.h)";
  }
  std::mt19937_64 rng(3);
  std::vector<double> obs = env->Reset(11);
  int replayed = 0;
  for (int t = 0; t < 50; ++t) {
    const std::vector<double> action = RandomAction(spec, rng);
    const StepResult next = env->Step(action).value();
    // Locomotion observations clip velocities at 10: such a state is not recoverable.
    bool clipped = false;
    for (double x : obs) clipped |= std::abs(x) >= 10.0;
    if (!clipped) {
      ASSERT_TRUE(replay->SetStateFromObservation(obs).ok()) << task;
      const StepResult again = replay->Step(action).value();
      ASSERT_EQ(again.observation.size(), next.observation.size());
      for (size_t i = 0; i < next.observation.size(); ++i) {
        EXPECT_NEAR(again.observation[i], next.observation[i], 1e-6) << task << " t " << t;
      }
      EXPECT_NEAR(again.reward, next.reward, 1e-6) << task << " t " << t;
      ++replayed;
    }
    if (next.terminated) break;
    obs = next.observation;
  }
  EXPECT_GT(replayed, 0) << task;
  const std::vector<double> wrong_size(spec.obs_dim + 1, 0.0);
  EXPECT_EQ(replay->SetStateFromObservation(wrong_size).code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredTask, AllEnvsTest, ::testing::ValuesIn(RegisteredTasks()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace romi::envs
