// D4RL's maze2d "waypoint controller": a grid planner plus a PD controller that steers the point
// mass from cell to cell. It generates the maze2d datasets and set maze2d's reference max scores.
//
// Planning (on a new target): Q-iteration over the grid's cells, 5 actions (NOOP, UP, DOWN,
// LEFT, RIGHT; a move into a wall or off the grid is a NOOP), reward 1 in the target cell,
// 50 iterations, discount 0.99; then a greedy rollout from the cell of the rounded position
// (at most 100 moves). Every cell the rollout enters is a waypoint, shifted by -U(0, 1) * 0.2 per
// axis (towards the middle of the free space, whose walls sit 0.2 lower), except the target
// cell itself, which is the last waypoint.
//
// Control (each step): with d = |position - target cell| and the step displacement
// m = |position - previous position|, the target counts as reached when d < 0.1 and m < 0.1;
// the controller then heads for the target, else for the current waypoint w:
//   action = clip(10 * (w - position) - velocity, -1, 1)
// and moves on to the next waypoint when |position - w| < 0.1 and m < 0.1.
// Coordinates are qpos (envs/maze_layout.h: cell (i, j) is qpos (i, j)).
#ifndef ROMI_DATAGEN_WAYPOINT_CONTROLLER_H_
#define ROMI_DATAGEN_WAYPOINT_CONTROLLER_H_

#include <array>
#include <random>
#include <utility>
#include <vector>

#include "envs/maze_layout.h"

namespace romi::datagen {

using Vec2 = std::array<double, 2>;

// The cells a greedy rollout of the Q-iteration plan visits from `start` to `target`, the start
// excluded and the target last (just {target} when start == target). The start may be a wall cell
// (a particle hugging a wall can round into it); moves out of it into free cells are allowed.
std::vector<envs::Cell> PlanPath(const envs::MazeLayout& layout, envs::Cell start,
                                 envs::Cell target);

class WaypointController {
 public:
  explicit WaypointController(envs::MazeLayout layout) : layout_(std::move(layout)) {}

  // Plans waypoints from `position` to the cell of `target` (rounded, as D4RL does); the waypoint
  // shifts are drawn from `rng`. Must be called before the first Act.
  void SetTarget(Vec2 position, Vec2 target, std::mt19937_64& rng);

  struct Command {
    Vec2 action;   // in [-1, 1]^2
    bool reached;  // the target was reached before this action
  };
  Command Act(Vec2 position, Vec2 velocity);

  const std::vector<Vec2>& waypoints() const { return waypoints_; }
  Vec2 target() const { return target_; }

 private:
  envs::MazeLayout layout_;
  std::vector<Vec2> waypoints_;
  size_t next_waypoint_ = 0;
  Vec2 target_{};
  Vec2 previous_position_{};
};

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_WAYPOINT_CONTROLLER_H_
