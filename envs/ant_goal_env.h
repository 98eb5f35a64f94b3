// ant-goal-reaching-v0: the ant of antmaze walking to targets on an open floor. Not a D4RL dataset
// task: it is where the low-level policy behind the generated antmaze datasets is trained.
//
// D4RL drove its ant through the mazes with a SAC policy trained to reach goals in the open
// (d4rl/locomotion goal_reaching_env.py, GoalReachingAntEnv) and fed, in a maze, the next BFS
// waypoint relative to the torso, rescaled to length 10 "to in-distribution values"
// (scripts/generation/generate_ant_maze_datasets.py). Its policy file and its training settings
// were never published, so ours is trained here with the input D4RL's dataset runs gave theirs.
//
// Model: antmaze's ant (ant_maze_geometry.h, MuJoCo 2.0's masses) on a floor without walls.
// Observation (29), GoalReachingObservation: qpos[2..14] (torso height, quaternion, joint
//   angles), qvel[0..13], then (target - torso xy) rescaled to length kTargetNorm.
// Action (8) in [-1, 1]: as in antmaze (ctrl = 30 a).
// Target: at Reset and every time the torso comes within kReachRadius of it, a new one at a
//   uniform angle and a distance U(2, 8) from the torso: the range of waypoint distances in the
//   mazes (the next cell's point is 2-6 away, a cell being 4 wide).
// Reward: the progress toward the target in this step per unit time, (d_before - d_after) / dt
//   (in the open this is the speed toward it), + 1 for staying upright, - 0.05 |a|^2. The rescaled
//   input hides the distance, so the policy learns to walk toward a direction, which is all a
//   waypoint follower needs.
// Termination: the torso's height leaves [0.2, 1.0] (the ant's own health check, which the maze
//   tasks do not apply): an ant on its back cannot walk anywhere. 500 steps.
// Score: the return itself (reference returns 0 and 100).
#ifndef ROMI_ENVS_ANT_GOAL_ENV_H_
#define ROMI_ENVS_ANT_GOAL_ENV_H_

#include <array>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/env.h"
#include "envs/mujoco_env.h"

namespace romi::envs {

inline constexpr char kAntGoalReachingTask[] = "ant-goal-reaching-v0";

// The goal-reaching policy's input for an ant at (qpos, qvel) (at least 15 and 14 entries: the
// ant's; a maze has no other joints) heading for `target` (world xy): 29 values as above. A
// target at the torso's xy gives a zero direction.
std::vector<double> GoalReachingObservation(absl::Span<const double> qpos,
                                            absl::Span<const double> qvel,
                                            std::array<double, 2> target);

class AntGoalEnv : public MujocoEnv {
 public:
  static constexpr double kTargetNorm = 10.0;
  static constexpr double kReachRadius = 0.5;
  static constexpr double kMinTargetDistance = 2.0;
  static constexpr double kMaxTargetDistance = 8.0;

  static absl::StatusOr<std::unique_ptr<AntGoalEnv>> Create(const EnvSpec& spec);

  std::vector<double> Observation() const override;
  // UnimplementedError: the observation holds neither the torso's xy nor the target's distance.
  absl::Status SetStateFromObservation(absl::Span<const double> observation) override;
  std::array<double, 2> target() const { return target_; }
  // Targets reached since the last Reset.
  int targets_reached() const { return targets_reached_; }

 protected:
  void ResetState(std::mt19937_64& rng) override;
  Transition StepPhysics(absl::Span<const double> action) override;

 private:
  AntGoalEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data);
  double DistanceToTarget() const;
  void DrawTarget();

  std::mt19937_64 target_rng_;  // Seeded by each Reset, so an episode is a function of its seed.
  std::array<double, 2> target_{0.0, 0.0};
  int targets_reached_ = 0;
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_ANT_GOAL_ENV_H_
