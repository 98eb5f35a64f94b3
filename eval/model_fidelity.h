// How physically right a table of transitions is: each (s, a, r, s') is replayed in the task's
// simulator from s, and the simulator's next state and reward are compared with the table's.
//
// For a model buffer this is the model error the learner actually trains on, measured against
// the real dynamics rather than against held-out data: for ROMI's reverse rollouts s is the
// model's prediction and s' the state it should lead to; for FOMI's forward rollouts s is known
// and s' predicted. Both read the same way: a small error means the imagined transition could
// have happened. (Locomotion observations clip velocities, so states at the clip bound replay
// only approximately; see Env::SetStateFromObservation.)
#ifndef ROMI_EVAL_MODEL_FIDELITY_H_
#define ROMI_EVAL_MODEL_FIDELITY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "data/transitions.h"

namespace romi::eval {

struct ModelFidelity {
  int64_t rows = 0;     // transitions replayed
  int64_t failed = 0;   // of which the simulator could not start from s (or diverged)
  // Mean over the replayed rows and state dimensions of (s'_table - s'_simulator)^2.
  double next_state_mse = 0;
  // sum ||s'_table - s'_simulator||^2 / sum ||s'_simulator - s||^2: 0 is exact, 1 is as wrong as
  // predicting that nothing moves.
  double relative_error = 0;
  // Mean |r_table - r_simulator|, and the two means (a model that misses rare rewards shows a
  // small error but a table mean below the simulator's).
  double reward_mae = 0;
  double table_reward_mean = 0;
  double simulator_reward_mean = 0;
};

// Replays up to `max_rows` rows of `transitions` (a seeded uniform sample when there are more) in
// task `task`. InvalidArgument when the table's widths do not match the task's.
absl::StatusOr<ModelFidelity> ReplayInSimulator(const std::string& task,
                                                const data::Transitions& transitions,
                                                int64_t max_rows, uint64_t seed);

}  // namespace romi::eval

#endif  // ROMI_EVAL_MODEL_FIDELITY_H_
