#include "envs/maze2d_env.h"

#include <cmath>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

std::unique_ptr<Maze2dEnv> MakeMaze(absl::string_view task) {
  absl::StatusOr<std::unique_ptr<Maze2dEnv>> env = MakeMaze2dEnv(task);
  EXPECT_TRUE(env.ok()) << env.status();
  return std::move(env).value();
}

TEST(MakeMaze2dEnvTest, RejectsOtherTasks) {
  const auto env = MakeMaze2dEnv("hopper-medium-v2");
  EXPECT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(env.status().message().find("maze2d-umaze-dense-v1"), absl::string_view::npos);
}

TEST(MakeMaze2dEnvTest, SpecMatchesTheRegistry) {
  auto env = MakeMaze("maze2d-medium-dense-v1");
  EXPECT_EQ(env->Spec().task, "maze2d-medium-dense-v1");
  EXPECT_EQ(env->Spec().max_episode_steps, 600);
  EXPECT_EQ(env->reward_type(), MazeReward::kDense);
  EXPECT_EQ(env->target(), (std::array<double, 2>{6.0, 6.0}));
}

// Puts the particle at qpos (x, y) at rest.
void PlaceAt(Maze2dEnv& env, double x, double y) {
  env.Reset(0);
  const double qpos[] = {x, y};
  const double qvel[] = {0.0, 0.0};
  ASSERT_TRUE(env.SetState(qpos, qvel).ok());
}

StepResult StepOk(Maze2dEnv& env, double ax, double ay) {
  const double action[] = {ax, ay};
  absl::StatusOr<StepResult> result = env.Step(action);
  EXPECT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(CheckNoWarnings(env.data()).ok()) << CheckNoWarnings(env.data());
  return *result;
}

TEST(Maze2dEnvTest, OneStepVelocityFromRest) {
  auto env = MakeMaze("maze2d-umaze-v1");
  PlaceAt(*env, 1.0, 1.0);
  const StepResult result = StepOk(*env, 1.0, 0.0);
  // Euler with implicit damping: dt * gear / (mass + dt * damping).
  EXPECT_NEAR(result.observation[2], 0.238164, 1e-5);
  EXPECT_NEAR(result.observation[3], 0.0, 1e-12);
  EXPECT_NEAR(env->model().body_mass[1], 4.18879, 1e-5);
}

TEST(Maze2dEnvTest, ActionIsClipped) {
  auto env = MakeMaze("maze2d-umaze-v1");
  PlaceAt(*env, 1.0, 1.0);
  EXPECT_NEAR(StepOk(*env, 7.0, 0.0).observation[2], 0.238164, 1e-5);
}

TEST(Maze2dEnvTest, VelocityIsClippedBeforeTheStep) {
  auto env = MakeMaze("maze2d-large-v1");
  env->Reset(0);
  const double qpos[] = {3.0, 3.0};  // Row 3 of the large maze is open from column 1 to 6.
  const double qvel[] = {0.0, 40.0};
  ASSERT_TRUE(env->SetState(qpos, qvel).ok());
  const StepResult result = StepOk(*env, 0.0, 0.0);
  // From 5 (the clip), damping alone: 5 * m / (m + dt).
  EXPECT_NEAR(result.observation[3], 5.0 * 4.18879 / (4.18879 + 0.01), 1e-5);
  EXPECT_NEAR(result.observation[1], 3.0 + 0.01 * result.observation[3], 1e-9);
}

TEST(Maze2dEnvTest, SparseRewardOnNewPosition) {
  auto env = MakeMaze("maze2d-umaze-v1");  // Goal cell (1, 1); (1, 2) is free.
  PlaceAt(*env, 1.0, 1.4);
  EXPECT_EQ(StepOk(*env, 0.0, 0.0).reward, 1.0);
  PlaceAt(*env, 1.0, 1.6);
  EXPECT_EQ(StepOk(*env, 0.0, 0.0).reward, 0.0);
  EXPECT_EQ(MazeRewardAt(MazeReward::kSparse, 1.0, 1.5, {1.0, 1.0}), 1.0);
  EXPECT_EQ(MazeRewardAt(MazeReward::kSparse, 1.3, 1.4, {1.0, 1.0}), 1.0);
  EXPECT_EQ(MazeRewardAt(MazeReward::kSparse, 1.3, 1.41, {1.0, 1.0}), 0.0);
}

TEST(Maze2dEnvTest, DenseRewardOnNewPosition) {
  auto env = MakeMaze("maze2d-umaze-dense-v1");
  PlaceAt(*env, 1.0, 1.0);
  EXPECT_DOUBLE_EQ(StepOk(*env, 0.0, 0.0).reward, 1.0);
  PlaceAt(*env, 1.0, 2.0);
  EXPECT_NEAR(StepOk(*env, 0.0, 0.0).reward, std::exp(-1.0), 1e-12);
  EXPECT_NEAR(MazeRewardAt(MazeReward::kDense, 1.3, 1.4, {1.0, 1.0}), std::exp(-0.5), 1e-12);
  // The reward is computed after the step: moving toward the goal from rest changes it.
  PlaceAt(*env, 1.0, 2.0);
  const StepResult moved = StepOk(*env, 0.0, -1.0);
  EXPECT_NEAR(moved.reward, std::exp(-std::abs(moved.observation[1] - 1.0)), 1e-12);
  EXPECT_GT(moved.reward, std::exp(-1.0));
}

TEST(Maze2dEnvTest, WallsBlockTheParticle) {
  auto env = MakeMaze("maze2d-umaze-v1");
  // From the goal cell push toward row 0 (a wall) for 2 s: unobstructed it would travel ~10.
  PlaceAt(*env, 1.0, 1.0);
  StepResult result;
  for (int t = 0; t < 200; ++t) result = StepOk(*env, -1.0, 0.0);
  // The wall box of cell (0, 1) ends at world x = 1.5; the sphere's radius is 0.1.
  const double world_x = result.observation[0] + kParticleOffset;
  EXPECT_GT(world_x, 1.6 - 0.02);
  EXPECT_LT(world_x, 1.6 + 0.01);
  EXPECT_NEAR(result.observation[2], 0.0, 1e-2);
  // Row 2 column 1 is a wall too: pushing down from (1, 1) is blocked as well.
  PlaceAt(*env, 1.0, 1.0);
  for (int t = 0; t < 200; ++t) result = StepOk(*env, 1.0, 0.0);
  EXPECT_LT(result.observation[0] + kParticleOffset, 2.4 + 0.02);
}

TEST(Maze2dEnvTest, ResetStartsNearAnOpenCell) {
  auto env = MakeMaze("maze2d-medium-v1");
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const std::vector<double> obs = env->Reset(seed);
    const Cell cell = QposToCell(obs[0], obs[1]);
    EXPECT_FALSE(env->layout().IsWall(cell));
    EXPECT_LE(std::abs(obs[0] - cell.row), 0.1);
    EXPECT_LE(std::abs(obs[1] - cell.col), 0.1);
    EXPECT_LT(std::abs(obs[2]), 0.6);  // N(0, 0.1^2): beyond 6 sigma never happens.
  }
}

TEST(Maze2dEnvTest, NeverTerminatesAndTruncatesAtTheLimit) {
  auto env = MakeMaze("maze2d-umaze-v1");
  env->Reset(3);
  for (int t = 1; t <= 301; ++t) {
    const StepResult result = StepOk(*env, 0.3, -0.2);
    EXPECT_FALSE(result.terminated);
    EXPECT_EQ(result.truncated, t == 300) << t;
  }
}

TEST(Maze2dEnvTest, RejectsBadActionsAndStepBeforeReset) {
  auto env = MakeMaze("maze2d-umaze-v1");
  const double action[] = {0.0, 0.0};
  EXPECT_EQ(env->Step(action).status().code(), absl::StatusCode::kFailedPrecondition);
  env->Reset(0);
  const double short_action[] = {0.0};
  EXPECT_EQ(env->Step(short_action).status().code(), absl::StatusCode::kInvalidArgument);
  const double nan_action[] = {std::nan(""), 0.0};
  EXPECT_EQ(env->Step(nan_action).status().code(), absl::StatusCode::kInvalidArgument);
  const double qpos[] = {1.0};
  EXPECT_EQ(env->SetState(qpos, qpos).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Maze2dEnvTest, SharesOneModelPerLayout) {
  auto a = MakeMaze("maze2d-umaze-v1");
  auto b = MakeMaze("maze2d-umaze-dense-v1");
  auto c = MakeMaze("maze2d-large-v1");
  EXPECT_EQ(&a->model(), &b->model());
  EXPECT_NE(&a->model(), &c->model());
  EXPECT_NE(&a->data(), &b->data());
}

}  // namespace
}  // namespace romi::envs
