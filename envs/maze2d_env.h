// maze2d: D4RL's point mass navigating to a fixed goal cell
// (maze2d-{umaze,medium,large}[-dense]-v1).
//
// Observation (4): [0] qpos x, [1] qpos y (cell units: cell (i, j) is qpos (i, j)),
//                  [2] qvel x, [3] qvel y.
// Action (2): force on x and y, clipped to [-1, 1], motor gear 100.
// Step: clip the action; clip qvel to [-5, 5] and recompute; one mj_step (dt 0.01).
// Reward on the new position, target = the goal cell G: sparse 1 if ||qpos - G|| <= 0.5 else 0;
// dense exp(-||qpos - G||). Never terminates; 300 / 600 / 800 steps (umaze / medium / large).
// Reset: a uniform cell among free cells and G, qpos = cell + U(-0.1, 0.1) per axis,
// qvel = N(0, 0.1^2).
//
// Beyond Env, it exposes the layout and state access (MujocoEnv::SetState, qpos, qvel) that the
// waypoint-controller dataset generator builds on.
#ifndef ROMI_ENVS_MAZE2D_ENV_H_
#define ROMI_ENVS_MAZE2D_ENV_H_

#include <array>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/env.h"
#include "envs/maze_layout.h"
#include "envs/mujoco_env.h"

namespace romi::envs {

enum class MazeReward { kSparse, kDense };

// The reward for being at qpos (x, y) with the goal at `target` (qpos coordinates).
double MazeRewardAt(MazeReward type, double x, double y, std::array<double, 2> target);

class Maze2dEnv;

// A maze2d task as its concrete type (for the waypoint-controller dataset generator, which needs
// the layout and state access); NotFoundError listing the maze2d tasks for another name.
absl::StatusOr<std::unique_ptr<Maze2dEnv>> MakeMaze2dEnv(absl::string_view task);

class Maze2dEnv : public MujocoEnv {
 public:
  // `spec.task` names the task; the model is compiled once per layout and shared.
  static absl::StatusOr<std::unique_ptr<Maze2dEnv>> Create(const EnvSpec& spec,
                                                           absl::string_view layout,
                                                           MazeReward reward);

  std::vector<double> Observation() const override;

  const MazeLayout& layout() const { return layout_; }
  MazeReward reward_type() const { return reward_; }
  // The reward target in qpos coordinates: the goal cell.
  std::array<double, 2> target() const { return CellToQpos(layout_.goal()); }

  static constexpr double kMaxSpeed = 5.0;

 protected:
  void ResetState(std::mt19937_64& rng) override;
  Transition StepPhysics(absl::Span<const double> action) override;

 private:
  Maze2dEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data, MazeLayout layout,
            MazeReward reward);

  MazeLayout layout_;
  MazeReward reward_;
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_MAZE2D_ENV_H_
