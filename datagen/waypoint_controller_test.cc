#include "datagen/waypoint_controller.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "envs/maze2d_env.h"
#include "envs/maze_layout.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

using envs::Cell;

const char* const kMazes[] = {"maze2d-umaze-v1", "maze2d-medium-v1", "maze2d-large-v1"};

std::unique_ptr<envs::Maze2dEnv> MakeMaze(const std::string& task) {
  auto env = envs::MakeMaze2dEnv(task);
  EXPECT_TRUE(env.ok()) << env.status();
  return std::move(env).value();
}

// Shortest path lengths (in moves) from `target` to every cell, by breadth-first search.
std::vector<int> Distances(const envs::MazeLayout& layout, Cell target) {
  std::vector<int> distance(layout.rows() * layout.cols(), -1);
  const auto index = [&layout](Cell c) { return c.row * layout.cols() + c.col; };
  std::deque<Cell> queue = {target};
  distance[index(target)] = 0;
  while (!queue.empty()) {
    const Cell c = queue.front();
    queue.pop_front();
    for (const Cell& m : {Cell{-1, 0}, Cell{1, 0}, Cell{0, -1}, Cell{0, 1}}) {
      const Cell next{c.row + m.row, c.col + m.col};
      if (layout.IsWall(next) || distance[index(next)] >= 0) continue;
      distance[index(next)] = distance[index(c)] + 1;
      queue.push_back(next);
    }
  }
  return distance;
}

TEST(PlanPathTest, ShortestFreePathBetweenEveryPairOfCells) {
  for (const char* task : kMazes) {
    const auto env = MakeMaze(task);
    const envs::MazeLayout& layout = env->layout();
    for (const Cell& target : layout.open_cells()) {
      const std::vector<int> distance = Distances(layout, target);
      for (const Cell& start : layout.open_cells()) {
        const std::vector<Cell> path = PlanPath(layout, start, target);
        ASSERT_FALSE(path.empty());
        EXPECT_TRUE(path.back() == target) << task;
        EXPECT_EQ(int(path.size()), std::max(1, distance[start.row * layout.cols() + start.col]))
            << task << " from (" << start.row << ", " << start.col << ") to (" << target.row << ", "
            << target.col << ")";
        Cell previous = start;
        for (const Cell& cell : path) {
          EXPECT_FALSE(layout.IsWall(cell)) << task;
          EXPECT_LE(std::abs(cell.row - previous.row) + std::abs(cell.col - previous.col), 1);
          previous = cell;
        }
      }
    }
  }
}

TEST(PlanPathTest, LeavesAWallCellTowardsTheTarget) {
  const auto env = MakeMaze("maze2d-umaze-v1");  // (2, 2) is a wall between (1, 2) and (3, 2).
  const std::vector<Cell> path = PlanPath(env->layout(), {2, 2}, {1, 1});
  ASSERT_EQ(path.size(), 2u);
  EXPECT_TRUE(path[0] == (Cell{1, 2}));
  EXPECT_TRUE(path[1] == (Cell{1, 1}));
}

TEST(WaypointControllerTest, WaypointsAreShiftedCellsEndingAtTheTarget) {
  const auto env = MakeMaze("maze2d-umaze-v1");
  WaypointController controller(env->layout());
  std::mt19937_64 rng(3);
  controller.SetTarget({3.05, 1.02}, {1.08, 0.95}, rng);  // (3, 1) to (1, 1): 6 moves.
  const std::vector<Vec2>& waypoints = controller.waypoints();
  ASSERT_EQ(waypoints.size(), 6u);
  EXPECT_EQ(waypoints.back(), (Vec2{1.0, 1.0}));
  EXPECT_EQ(controller.target(), (Vec2{1.0, 1.0}));
  for (size_t i = 0; i + 1 < waypoints.size(); ++i) {
    for (double x : waypoints[i]) {
      const double shift = std::round(x) - x;
      EXPECT_GE(shift, 0.0);
      EXPECT_LE(shift, 0.2);
    }
  }
}

TEST(WaypointControllerTest, PdLawAndClipping) {
  const auto env = MakeMaze("maze2d-umaze-v1");
  WaypointController controller(env->layout());
  std::mt19937_64 rng(0);
  controller.SetTarget({1.0, 3.0}, {1.0, 2.0}, rng);  // One move: the only waypoint is the target.
  const WaypointController::Command far = controller.Act({1.0, 3.0}, {0.0, 0.0});
  EXPECT_FALSE(far.reached);
  EXPECT_EQ(far.action, (Vec2{0.0, -1.0}));  // 10 * (2 - 3) clipped
  const WaypointController::Command near = controller.Act({1.0, 2.05}, {0.02, -0.1});
  EXPECT_NEAR(near.action[0], 10 * 0.0 - 0.02, 1e-12);
  EXPECT_NEAR(near.action[1], 10 * -0.05 + 0.1, 1e-12);
  EXPECT_TRUE(controller.Act({1.0, 2.02}, {0.0, 0.0}).reached);
}

// Signed clearance between the particle (radius 0.1) and the nearest wall box; negative inside.
double WallClearance(const envs::MazeLayout& layout, Vec2 p) {
  double clearance = 1e9;
  const Cell c = envs::QposToCell(p[0], p[1]);
  for (int i = c.row - 1; i <= c.row + 1; ++i) {
    for (int j = c.col - 1; j <= c.col + 1; ++j) {
      if (!layout.IsWall({i, j})) continue;
      // The box of wall cell (i, j) spans qpos [i - 0.7, i + 0.3] x [j - 0.7, j + 0.3].
      const double dx = std::max({i - 0.7 - p[0], p[0] - (i + 0.3), 0.0});
      const double dy = std::max({j - 0.7 - p[1], p[1] - (j + 0.3), 0.0});
      clearance = std::min(clearance, std::hypot(dx, dy) - 0.1);
    }
  }
  return clearance;
}

// Drives to `targets` random targets, each from where the last one was reached, with the dataset's
// action noise (or none); returns how many were reached within `budget` steps each.
int ReachRandomTargets(const std::string& task, int targets, int budget, double noise_std) {
  auto env = MakeMaze(task);
  const envs::MazeLayout& layout = env->layout();
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, noise_std);
  std::uniform_int_distribution<size_t> pick(0, layout.open_cells().size() - 1);
  env->Reset(7);
  WaypointController controller(layout);
  const auto position = [&env] { return Vec2{env->qpos()[0], env->qpos()[1]}; };
  int reached = 0;
  for (int k = 0; k < targets; ++k) {
    controller.SetTarget(position(), envs::CellToQpos(layout.open_cells()[pick(rng)]), rng);
    for (int t = 0; t < budget; ++t) {
      EXPECT_GT(WallClearance(layout, position()), -0.02) << task << " target " << k;
      const auto command = controller.Act(position(), {env->qvel()[0], env->qvel()[1]});
      if (command.reached) {
        ++reached;
        break;
      }
      Vec2 action = command.action;
      for (double& a : action) a = std::clamp(a + noise(rng), -1.0, 1.0);
      const auto step = env->Step(action);
      EXPECT_TRUE(step.ok()) << step.status();
    }
  }
  return reached;
}

TEST(WaypointControllerTest, ReachesRandomTargetsInEveryMaze) {
  for (const char* task : kMazes) {
    EXPECT_EQ(ReachRandomTargets(task, 30, 1000, 0.0), 30) << task;
  }
}

TEST(WaypointControllerTest, ReachesRandomTargetsWithTheDatasetsActionNoise) {
  for (const char* task : kMazes) {
    EXPECT_GE(ReachRandomTargets(task, 30, 1000, 0.5), 29) << task;
  }
}

}  // namespace
}  // namespace romi::datagen
