// Imagination: model rollouts that fill ROMI's model buffer.
//
// REVERSE (ROMI): start from states s' of dataset transitions; repeat h times:
//   a ~ G(a | s'),  (s, r) ~ model(s', a),  done = termination(s, a, s'),
//   store the transition (s, a, r, s', done) and continue backwards from s where not done.
// Every stored transition leads *into* a state that is real (first step) or itself leads into the
// data, which is what makes reverse imagination conservative.
// FORWARD (FOMI): start from states s, (s', r) ~ model(s, a), done = termination(s, a, s'),
// continue from s' where not done.
// Rows are stored in forward order (obs = earlier state, next_obs = later state) either way, so the
// buffer is an ordinary transition table for the learner. Rounds run until the buffer is full.
#ifndef ROMI_ROMI_IMAGINATION_H_
#define ROMI_ROMI_IMAGINATION_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "data/index_distribution.h"
#include "data/transitions.h"
#include "envs/termination.h"
#include "romi/dynamics_ensemble.h"
#include "romi/imagination.pb.h"
#include "romi/rollout_policy.h"

namespace romi {

// done flags (bool [B]) of transitions (obs, action, next_obs), each a [B, dim] float tensor, by
// the task's known termination rule (the paper assumes it is known; envs/termination.h).
absl::StatusOr<torch::Tensor> TerminalFlags(const envs::TerminationFn& termination,
                                            const torch::Tensor& obs, const torch::Tensor& action,
                                            const torch::Tensor& next_obs);

struct ImaginationSummary {
  int64_t rows = 0;  // transitions stored
  int64_t rounds = 0;
  int64_t terminated = 0;  // stored rows with done = 1
  double seconds = 0;
};

// Fills a buffer of config.buffer_size() transitions. Start states come from `starts` (its
// next_observations for REVERSE models, observations for FORWARD) drawn with `start_distribution`;
// with config.skip_terminal_starts, reverse rollouts never start from a row whose s' is terminal
// (ReverseStartDistribution).
absl::StatusOr<data::Transitions> Imagine(const DynamicsEnsemble& model, RolloutPolicy& policy,
                                          const data::Transitions& starts,
                                          const data::IndexDistribution& start_distribution,
                                          const envs::TerminationFn& termination,
                                          const ImaginationConfig& config,
                                          torch::Generator& generator,
                                          ImaginationSummary* summary = nullptr);

// `rows` restricted to the rows whose s' is not terminal (`terminals`, [N]), each keeping its
// weight; `rows` itself when none is terminal (ImaginationConfig.skip_terminal_starts says why).
// InvalidArgument when every row with weight is terminal.
absl::StatusOr<data::IndexDistribution> ReverseStartDistribution(
    const data::IndexDistribution& rows, const torch::Tensor& terminals);

// The rows of `buffer` (filled by Imagine with `config`) of each of the first `count` rollouts of
// its first round, in the order imagined: a rollout's first row touches the data. Imagine stores a
// round step by step, each step's rows in the order of the rollouts still going, so the terminal
// flags alone say which row belongs to which rollout. For pictures of imagined paths.
std::vector<std::vector<int64_t>> FirstRoundRollouts(const data::Transitions& buffer,
                                                     const ImaginationConfig& config,
                                                     int64_t count);

}  // namespace romi

#endif  // ROMI_ROMI_IMAGINATION_H_
