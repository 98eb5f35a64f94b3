#include "datagen/antmaze_generator.h"

#include <cmath>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "data/d4rl_file.h"
#include "envs/ant_maze_env.h"
#include "envs/ant_maze_geometry.h"
#include "envs/maze_layout.h"
#include "gtest/gtest.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::datagen {
namespace {

using envs::Cell;

envs::AntMazeGeometry Maze(const char* layout) {
  return envs::AntMazeGeometry::Parse(layout).value();
}

// An untrained goal-reaching policy: the recipe's bookkeeping does not depend on walking well.
learners::TanhGaussianPolicy UntrainedPolicy() {
  torch::manual_seed(0);
  learners::TanhGaussianPolicyOptions options;
  options.obs_dim = 29;
  options.act_dim = 8;
  options.hidden = {32, 32};
  return learners::TanhGaussianPolicy(options);
}

TEST(PlannerCellTest, IsD4rlsFormulaHalfACellOff) {
  const envs::AntMazeGeometry maze = Maze(envs::kAntUMazeLayout);
  EXPECT_EQ(PlannerCell(maze, 0.0, 0.0), (Cell{1, 1}));
  EXPECT_EQ(PlannerCell(maze, -1.5, -1.5), (Cell{1, 1}));  // clamped at 1e-4
  EXPECT_EQ(PlannerCell(maze, 3.9, 0.0), (Cell{1, 1}));    // in cell (1, 2) by CellAt
  EXPECT_EQ(maze.CellAt(3.9, 0.0), (Cell{1, 2}));
  EXPECT_EQ(PlannerCell(maze, 4.1, 0.0), (Cell{1, 2}));
  EXPECT_EQ(PlannerCell(maze, 8.5, 8.5), (Cell{3, 3}));
}

TEST(NextCellTowardsTest, FollowsTheUMazeCorridor) {
  const envs::AntMazeGeometry maze = Maze(envs::kAntUMazeLayout);
  const envs::MazeLayout& layout = maze.layout();
  // (1,1) -> (1,2) -> (1,3) -> (2,3) -> (3,3) -> (3,2) -> (3,1)
  const Cell path[] = {{1, 1}, {1, 2}, {1, 3}, {2, 3}, {3, 3}, {3, 2}, {3, 1}};
  for (int k = 0; k + 1 < 7; ++k) {
    EXPECT_EQ(NextCellTowards(layout, path[k], {3, 1}).value(), path[k + 1]) << k;
  }
  EXPECT_EQ(NextCellTowards(layout, {3, 1}, {3, 1}).value(), (Cell{3, 1}));
  // A planner cell in the wall between the arms steps to a free neighbour on the way.
  EXPECT_EQ(NextCellTowards(layout, {2, 1}, {3, 1}).value(), (Cell{3, 1}));
  const envs::MazeLayout split = envs::MazeLayout::Parse("#####\\#R#G#\\#####").value();
  EXPECT_EQ(NextCellTowards(split, {1, 1}, {1, 3}).status().code(), absl::StatusCode::kNotFound);
}

TEST(NextCellTowardsTest, EveryFreeCellOfEveryMazeReachesEveryGoalCell) {
  for (const char* task : {"antmaze-umaze-v0", "antmaze-medium-play-v0", "antmaze-large-play-v0"}) {
    const std::unique_ptr<envs::AntMazeEnv> env = envs::MakeAntMazeEnv(task).value();
    const envs::MazeLayout& layout = env->maze().layout();
    std::vector<Cell> goals(env->dataset_goal_cells().begin(), env->dataset_goal_cells().end());
    goals.push_back(layout.goal());
    for (const Cell& goal : goals) {
      for (const Cell& start : layout.open_cells()) {
        Cell at = start;
        int steps = 0;
        while (!(at == goal) && steps <= layout.rows() * layout.cols()) {
          const Cell next = NextCellTowards(layout, at, goal).value();
          ASSERT_FALSE(layout.IsWall(next)) << task;
          ASSERT_EQ(std::abs(next.row - at.row) + std::abs(next.col - at.col), 1) << task;
          at = next;
          ++steps;
        }
        EXPECT_EQ(at, goal) << task << " from (" << start.row << ", " << start.col << ")";
      }
    }
  }
}

TEST(GenerateAntMazeRolloutsTest, LayoutEpisodesAndGoalsFollowTheRecipe) {
  GeneratorOptions options;
  options.rows = 2500;
  options.seed = 3;
  for (const char* task : {"antmaze-umaze-v0", "antmaze-medium-play-v0"}) {
    SCOPED_TRACE(task);
    const data::D4rlFile file = GenerateAntMazeRollouts(task, UntrainedPolicy(), options).value();
    ASSERT_TRUE(data::ValidateD4rlFile(file, task).ok());
    EXPECT_EQ(file.observations.sizes(), (std::vector<int64_t>{2500, 29}));
    EXPECT_EQ(file.actions.sizes(), (std::vector<int64_t>{2500, 8}));
    EXPECT_EQ(file.infos.at("qpos").sizes(), (std::vector<int64_t>{2500, 15}));
    EXPECT_EQ(file.infos.at("qvel").sizes(), (std::vector<int64_t>{2500, 14}));
    EXPECT_TRUE(torch::equal(file.terminals, file.rewards));
    EXPECT_LE(file.actions.abs().max().item<float>(), 1.0f);
    // Episodes of 1001 rows: time-outs at rows 1000 and 2001.
    const torch::Tensor ends = torch::nonzero(file.timeouts).flatten();
    ASSERT_EQ(ends.numel(), 2);
    EXPECT_EQ(ends[0].item<int64_t>(), 1000);
    EXPECT_EQ(ends[1].item<int64_t>(), 2001);
    // One goal per episode, in a dataset goal cell (+ U(0, 1) + U(0, 0.5) per axis).
    const std::unique_ptr<envs::AntMazeEnv> env = envs::MakeAntMazeEnv(task).value();
    const auto goal = file.infos.at("goal").accessor<float, 2>();
    const auto obs = file.observations.accessor<float, 2>();
    for (int64_t start : {0, 1001, 2002}) {
      for (int64_t t = start; t < std::min<int64_t>(start + 1001, 2500); ++t) {
        ASSERT_EQ(goal[t][0], goal[start][0]);
        ASSERT_EQ(goal[t][1], goal[start][1]);
      }
      bool in_a_goal_cell = false;
      for (const Cell& cell : env->dataset_goal_cells()) {
        const std::array<double, 2> c = env->maze().CellCenter(cell);
        in_a_goal_cell |= goal[start][0] >= c[0] && goal[start][0] <= c[0] + 1.5 &&
                          goal[start][1] >= c[1] && goal[start][1] <= c[1] + 1.5;
      }
      EXPECT_TRUE(in_a_goal_cell) << start;
      // umaze starts at the origin; play starts anywhere but a goal cell.
      const Cell start_cell = env->maze().CellAt(obs[start][0], obs[start][1]);
      EXPECT_FALSE(env->maze().layout().IsWall(start_cell));
      if (std::string(task) == "antmaze-umaze-v0") {
        EXPECT_LT(std::hypot(obs[start][0], obs[start][1]), 0.2);
      }
    }
    // Rows are the state before each step: infos/qpos and the observation agree.
    EXPECT_TRUE(torch::equal(file.observations.slice(1, 0, 15), file.infos.at("qpos")));
  }
}

TEST(GenerateAntMazeRolloutsTest, DeterministicAndPrefixStable) {
  GeneratorOptions options;
  options.rows = 1200;
  options.seed = 5;
  const data::D4rlFile a =
      GenerateAntMazeRollouts("antmaze-large-diverse-v0", UntrainedPolicy(), options).value();
  const data::D4rlFile b =
      GenerateAntMazeRollouts("antmaze-large-diverse-v0", UntrainedPolicy(), options).value();
  EXPECT_TRUE(torch::equal(a.observations, b.observations));
  EXPECT_TRUE(torch::equal(a.actions, b.actions));
  options.rows = 700;
  const data::D4rlFile prefix =
      GenerateAntMazeRollouts("antmaze-large-diverse-v0", UntrainedPolicy(), options).value();
  EXPECT_TRUE(torch::equal(prefix.observations, a.observations.slice(0, 0, 700)));
  EXPECT_TRUE(torch::equal(prefix.actions, a.actions.slice(0, 0, 700)));
  options.seed = 6;
  const data::D4rlFile other =
      GenerateAntMazeRollouts("antmaze-large-diverse-v0", UntrainedPolicy(), options).value();
  EXPECT_FALSE(torch::equal(other.observations, prefix.observations));
}

TEST(MeasureAntMazeDatasetTest, CountsEpisodesSuccessesAndCells) {
  // Two hand-made episodes in umaze: the first reaches its goal, the second is cut.
  data::D4rlFile file;
  file.observations = torch::zeros({5, 29});
  file.observations[3][0] = 8.0;  // cell (1, 3)
  file.rewards = torch::tensor({0.f, 1.f, 0.f, 0.f, 0.f});
  file.terminals = file.rewards.clone();
  file.timeouts = torch::tensor({0.f, 0.f, 1.f, 0.f, 0.f});
  file.actions = torch::zeros({5, 8});
  const AntMazeDatasetStats stats = MeasureAntMazeDataset("antmaze-umaze-v0", file).value();
  EXPECT_EQ(stats.rows, 5);
  EXPECT_EQ(stats.episodes, 2);
  EXPECT_EQ(stats.successful_episodes, 1);
  EXPECT_EQ(stats.rewarded_rows, 1);
  EXPECT_DOUBLE_EQ(stats.mean_episode_length, 3.0);
  EXPECT_EQ(stats.free_cells, 7);
  EXPECT_EQ(stats.visited_free_cells, 2);
}

TEST(GenerateAntMazeDatasetTest, RejectsOtherTasksAndNoRows) {
  GeneratorOptions options;
  options.rows = 10;
  EXPECT_EQ(GenerateAntMazeRollouts("maze2d-umaze-v1", UntrainedPolicy(), options).status().code(),
            absl::StatusCode::kNotFound);
  options.rows = 0;
  EXPECT_EQ(GenerateAntMazeRollouts("antmaze-umaze-v0", UntrainedPolicy(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::datagen

namespace romi::datagen {
namespace {

// The shipped policy, steered by the planner, reaches the evaluation goal of every maze in most
// episodes with the datasets' action noise. Measured: 0.85 (umaze), 1.00 (medium), 0.95 (large)
// of 20 episodes; without noise 0.95, 1.00, 0.85. Episodes are chaotic, so other BLAS kernels make
// other draws: the floor is three binomial standard deviations below the lowest.
TEST(ShippedGoalReachingPolicyTest, SteersTheAntToTheGoalOfEveryMaze) {
  for (const char* task : {"antmaze-umaze-v0", "antmaze-medium-play-v0", "antmaze-large-play-v0"}) {
    const double rate =
        NavigatorSuccessRate(task, LoadAntGoalReachingPolicy().value(), 20, 100, 0.2).value();
    EXPECT_GE(rate, 0.6) << task;
    RecordProperty(task, std::to_string(rate));
  }
}

}  // namespace
}  // namespace romi::datagen
