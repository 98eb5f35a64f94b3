// Termination rules: pure predicates over one transition (obs, action, next_obs).
//
// The paper assumes the termination function is known, so the same rule ends an episode in the
// simulator and cuts a rollout of a learned (forward or reverse) dynamics model. A reverse model
// predicts the earlier state from the later one, so the rule is evaluated on the known later
// state, next_obs, in both directions.
//
// Rules read the observation layouts documented in hopper.cc, walker2d.cc, halfcheetah.cc,
// maze2d_env.h and ant_maze_env.h. The batched form takes contiguous row-major float32 arrays
// [batch, dim], the memory layout of a CPU torch tensor, so model rollouts need no torch dependency
// here.
#ifndef ROMI_ENVS_TERMINATION_H_
#define ROMI_ENVS_TERMINATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace romi::envs {

// A domain's termination rule with the dimensions it expects. A small value type: copy freely.
struct TerminationFn {
  std::string name;  // "hopper", "walker2d", "antmaze-<maze>", "ant-upright" or "never".
  int obs_dim = 0;
  int act_dim = 0;
  // The rule itself; pointers are to arrays of obs_dim, act_dim and obs_dim elements.
  bool (*rule_f64)(const double* obs, const double* action, const double* next_obs) = nullptr;
  bool (*rule_f32)(const float* obs, const float* action, const float* next_obs) = nullptr;
};

// Gym Hopper: terminal unless next_obs is all finite, |next_obs[1:]| < 100, height next_obs[0] >
// 0.7 and |angle next_obs[1]| < 0.2.
const TerminationFn& HopperTermination();

// Gym Walker2d: terminal unless 0.8 < height next_obs[0] < 2.0 and -1 < angle next_obs[1] < 1.
const TerminationFn& Walker2dTermination();

// D4RL antmaze (ROMI's rule): terminal when the torso's xy, next_obs[0..1], is within 0.5 of the
// goal. A rule is a plain function without state, so each maze has its own with the goal built
// in: the centre of that maze's evaluation goals (ant_maze_env.h), the goal cell's point plus
// 0.75 per axis, where D4RL's goal noise U(0, 1) + U(0, 0.5) averages. ROMI's code, too, cut its
// rollouts at one goal while each evaluation drew its own.
const TerminationFn& AntUMazeTermination();       // Goal (0.75, 8.75).
const TerminationFn& AntMediumMazeTermination();  // Goal (20.75, 20.75).
const TerminationFn& AntLargeMazeTermination();   // Goal (32.75, 24.75).

// ant-goal-reaching-v0 (ant_goal_env.h): terminal unless the torso's height next_obs[0] is within
// [0.2, 1.0] (the health check of D4RL's ant, gym's Ant), NaN included.
const TerminationFn& AntUprightTermination();

// HalfCheetah and maze2d never terminate (their episodes end only by the time limit).
TerminationFn NeverTerminates(int obs_dim, int act_dim);

// One transition; InvalidArgumentError when a span's size differs from the rule's dimensions.
absl::StatusOr<bool> IsTerminal(const TerminationFn& fn, absl::Span<const double> obs,
                                absl::Span<const double> action, absl::Span<const double> next_obs);

// A batch of transitions: obs and next_obs hold done.size() rows of obs_dim floats, action holds
// done.size() rows of act_dim floats, all row-major. Writes done[b] for every row b.
absl::Status IsTerminalBatch(const TerminationFn& fn, absl::Span<const float> obs,
                             absl::Span<const float> action, absl::Span<const float> next_obs,
                             absl::Span<bool> done);

}  // namespace romi::envs

#endif  // ROMI_ENVS_TERMINATION_H_
