// antmaze: D4RL's ant reaching a goal in a maze (antmaze-umaze-v0, antmaze-umaze-diverse-v0,
// antmaze-medium-{play,diverse}-v0, antmaze-large-{play,diverse}-v0; d4rl/locomotion ant.py,
// maze_env.py, goal_reaching_env.py in evaluation mode). The mazes and coordinates are in
// ant_maze_geometry.h; the play/diverse variants differ only in their datasets.
//
// Model: D4RL's ant, timestep 0.02, RK4, frame_skip 5 (dt 0.1); bodies with MuJoCo 2.0's masses
// (legacy_inertia.h): torso 0.327249, each of the two aux capsules of a leg 0.036477, each ankle
// 0.064911.
// Observation (29): qpos[0..14], qvel[0..13], the full state:
//   [0] x, [1] y (torso, world), [2] z, [3..6] torso quaternion (w, x, y, z),
//   [7..14] joint angles hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3, hip_4, ankle_4,
//   [15..17] torso linear velocity, [18..20] torso angular velocity, [21..28] joint velocities
//   in the order of [7..14].
// Action (8) in [-1, 1]: torques hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3
//   (D4RL's actuator order). As D4RL's NormalizedBoxEnv does, ctrl = clip(30 a, -30, 30) for motors
//   of gear 1 and ctrlrange +-30; the datasets record a.
// Reward (sparse): 1 if ||xy - goal|| <= 0.5 after the step, else 0; the same test terminates the
//   episode (D4RL's eval mode). The ant's own health check (0.2 <= z <= 1) is not applied: an ant
//   on its back goes on. 700 steps (umaze), 1000 (medium, large).
// Reset: qpos = qpos0 + U(-0.1, 0.1) per entry (qpos0: torso at (0, 0, 0.75), upright, joints at
//   0; MuJoCo's kinematics then normalize the quaternion in qpos, as 2.0's did after gym's
//   set_state), qvel = 0.1 N(0, 1); then the goal: the map's goal cell centre + U(0, 1) +
//   U(0, 0.5) per axis (maze_env.py's goal_sampler; its clamp at 0 never binds for these goals).
//
// Goals. D4RL v0 drew one goal per environment instance from numpy's global generator, so an
// evaluation's episodes shared a goal while the next evaluation (a fresh env) drew another. Here
// the goal is drawn by each Reset from its seed, so an evaluation is reproducible and averages
// over goals instead of sitting on one. Before the first Reset, and for the spec's termination
// rule (model rollouts), the goal is the distribution's centre, the goal cell + (0.75, 0.75): see
// termination.h. SetGoal replaces the goal until the next Reset, for dataset generators that
// steer toward changing waypoints and goals.
#ifndef ROMI_ENVS_ANT_MAZE_ENV_H_
#define ROMI_ENVS_ANT_MAZE_ENV_H_

#include <array>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "envs/ant_maze_geometry.h"
#include "envs/env.h"
#include "envs/mujoco_env.h"

namespace romi::envs {

class AntMazeEnv;

// What every env of D4RL's ant shares (antmaze here, ant-goal-reaching in ant_goal_env.h):
// its model among the walls of `maze` with MuJoCo 2.0's masses, compiled once per layout;
absl::StatusOr<std::shared_ptr<const mjModel>> SharedAntModel(const AntMazeGeometry& maze);
// the reset of its freshly mj_resetData'd state (qpos0 + U(-0.1, 0.1), qvel 0.1 N(0, 1));
void ResetAntState(const mjModel& model, mjData& data, std::mt19937_64& rng);
// one environment step: ctrl = clip(30 a, -30, 30), then kFrameSkip physics steps.
void StepAnt(const mjModel& model, mjData& data, absl::Span<const double> action);

// An antmaze task as its concrete type (for dataset generators: geometry, goals, state access);
// NotFoundError listing the antmaze tasks for another name.
absl::StatusOr<std::unique_ptr<AntMazeEnv>> MakeAntMazeEnv(absl::string_view task);

class AntMazeEnv : public MujocoEnv {
 public:
  static constexpr int kFrameSkip = 5;
  static constexpr double kCtrlLimit = 30.0;
  static constexpr double kGoalRadius = 0.5;

  // `spec.task` names the task; the model is compiled once per layout and shared.
  static absl::StatusOr<std::unique_ptr<AntMazeEnv>> Create(
      const EnvSpec& spec, absl::string_view layout, absl::Span<const Cell> dataset_goal_cells);

  std::vector<double> Observation() const override;

  const AntMazeGeometry& maze() const { return maze_; }
  // The goal cells D4RL's dataset runs drew goals from (ant_maze_geometry.h).
  absl::Span<const Cell> dataset_goal_cells() const { return dataset_goal_cells_; }

  // The goal of the current episode, world xy.
  std::array<double, 2> goal() const { return goal_; }
  // The centre of the evaluation goals: the goal before any Reset and the termination rule's.
  std::array<double, 2> nominal_goal() const;
  void SetGoal(std::array<double, 2> goal) { goal_ = goal; }
  // A goal in `cell` as D4RL's goal_sampler draws one (cell centre + U(0, 1) + U(0, 0.5) per
  // axis): how Reset draws the evaluation goal in the map's goal cell, and how dataset
  // generators draw theirs in other cells.
  std::array<double, 2> DrawGoalIn(Cell cell, std::mt19937_64& rng) const;
  // Whether the torso is within kGoalRadius of the goal now.
  bool AtGoal() const;

 protected:
  void ResetState(std::mt19937_64& rng) override;
  Transition StepPhysics(absl::Span<const double> action) override;

 private:
  AntMazeEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data,
             AntMazeGeometry maze, absl::Span<const Cell> dataset_goal_cells);

  AntMazeGeometry maze_;
  absl::Span<const Cell> dataset_goal_cells_;  // Points to a constant of ant_maze_geometry.h.
  std::array<double, 2> goal_;
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_ANT_MAZE_ENV_H_
