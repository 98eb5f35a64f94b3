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
#include "eval/suite.pb.h"

namespace romi::eval {

// The rows of a table of `rows` that a fidelity check looks at: all of them (max_rows <= 0 or
// rows <= max_rows), else a uniform sample drawn with `seed`. The suite selects them once and
// both replays them and values them with the critic.
torch::Tensor FidelityRows(int64_t rows, int64_t max_rows, uint64_t seed);

// Replays every row of `transitions` in task `task` (select a sample first with FidelityRows). The
// result (eval/suite.proto) holds the rows replayed and those the simulator could not start from
// (or diverged on); the next-state MSE (mean over rows and state dimensions of (s'_table -
// s'_simulator)^2); the relative error, sum ||s'_table - s'_simulator||^2 / sum ||s'_simulator -
// s||^2 (0 is exact, 1 is as wrong as predicting that nothing moves); the reward MAE; and the
// table's and the simulator's mean reward (a model that misses rare rewards shows a small error but
// a table mean below the simulator's). InvalidArgument when the table's widths do not match the
// task's.
absl::StatusOr<ModelDataFidelity> ReplayInSimulator(const std::string& task,
                                                    const data::Transitions& transitions);

}  // namespace romi::eval

#endif  // ROMI_EVAL_MODEL_FIDELITY_H_
