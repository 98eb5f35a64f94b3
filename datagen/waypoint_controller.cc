#include "datagen/waypoint_controller.h"

#include <algorithm>
#include <cmath>

namespace romi::datagen {
namespace {

using envs::Cell;

constexpr int kPlanIterations = 50;
constexpr double kDiscount = 0.99;
constexpr int kMaxMoves = 100;
constexpr double kWaypointShift = 0.2;
constexpr double kThreshold = 0.1;  // distance to a waypoint, and step displacement
constexpr double kPGain = 10.0;
constexpr double kDGain = -1.0;

// NOOP, UP, DOWN, LEFT, RIGHT (rows grow downwards); the argmax keeps the first of equal values.
constexpr Cell kMoves[] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};

double Norm(Vec2 a, Vec2 b) { return std::hypot(a[0] - b[0], a[1] - b[1]); }

}  // namespace

std::vector<Cell> PlanPath(const envs::MazeLayout& layout, Cell start, Cell target) {
  const int rows = layout.rows(), cols = layout.cols();
  start.row = std::clamp(start.row, 0, rows - 1);
  start.col = std::clamp(start.col, 0, cols - 1);
  const auto index = [cols](Cell c) { return c.row * cols + c.col; };
  const auto step_to = [&layout](Cell c, const Cell& m) {
    const Cell next{c.row + m.row, c.col + m.col};
    return layout.IsWall(next) ? c : next;
  };

  // Q_{k+1}(s, a) = R(s) + discount * V_k(step(s, a)), V_k = max_a Q_k, Q_0 = 0. The greedy
  // action of Q_50 maximizes V_49 over the successors (R(s) is the same for every action).
  std::vector<double> value(rows * cols, 0.0), next_value(rows * cols, 0.0);
  for (int iteration = 1; iteration < kPlanIterations; ++iteration) {
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) {
        const Cell c{i, j};
        double best = value[index(step_to(c, kMoves[0]))];
        for (const Cell& m : kMoves) best = std::max(best, value[index(step_to(c, m))]);
        next_value[index(c)] = (c == target ? 1.0 : 0.0) + kDiscount * best;
      }
    }
    value.swap(next_value);
  }

  std::vector<Cell> path;
  Cell cell = start;
  for (int t = 0; t < kMaxMoves; ++t) {
    Cell best = step_to(cell, kMoves[0]);
    for (const Cell& m : kMoves) {
      const Cell next = step_to(cell, m);
      if (value[index(next)] > value[index(best)]) best = next;
    }
    cell = best;
    path.push_back(cell);
    if (cell == target) break;
  }
  return path;
}

void WaypointController::SetTarget(Vec2 position, Vec2 target, std::mt19937_64& rng) {
  const Cell start = envs::QposToCell(position[0], position[1]);
  const Cell goal = envs::QposToCell(target[0], target[1]);
  std::uniform_real_distribution<double> shift(0.0, 1.0);
  waypoints_.clear();
  for (const Cell& cell : PlanPath(layout_, start, goal)) {
    Vec2 waypoint = envs::CellToQpos(cell);
    if (!(cell == goal)) {
      for (double& x : waypoint) x -= shift(rng) * kWaypointShift;
    }
    waypoints_.push_back(waypoint);
  }
  next_waypoint_ = 0;
  target_ = envs::CellToQpos(goal);
  // As D4RL: the first step's displacement is measured from the start cell's nominal point.
  previous_position_ = envs::CellToQpos(start);
}

WaypointController::Command WaypointController::Act(Vec2 position, Vec2 velocity) {
  const double moved = Norm(position, previous_position_);
  previous_position_ = position;
  const bool reached = Norm(position, target_) < kThreshold && moved < kThreshold;
  const Vec2 aim = reached || waypoints_.empty() ? target_ : waypoints_[next_waypoint_];
  Command command{{}, reached};
  for (int k = 0; k < 2; ++k) {
    command.action[k] =
        std::clamp(kPGain * (aim[k] - position[k]) + kDGain * velocity[k], -1.0, 1.0);
  }
  if (!reached && Norm(position, aim) < kThreshold && moved < kThreshold &&
      next_waypoint_ + 1 < waypoints_.size()) {
    ++next_waypoint_;
  }
  return command;
}

}  // namespace romi::datagen
