// The offline dataset: transitions built from a D4RL file, with episode boundaries and returns.
//
// Construction follows d4rl's `qlearning_dataset` (see DatasetOptions for the keep-timeouts mode):
//   for i in 0 .. N-2:  next = observations[i + 1]
//     a timeout row (timeouts[i], or without that key the step count reaching max_episode_steps -
//     1)
//       ends its episode and is skipped: its successor is the next episode's first state;
//     a terminal row is kept with terminal = 1 and ends its episode;
//   the last row is dropped (it has no successor).
// The step count reproduces d4rl's exactly, including its restart at 1 after a terminal row.
#ifndef ROMI_DATA_DATASET_H_
#define ROMI_DATA_DATASET_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/d4rl_file.h"
#include "data/dataset_options.pb.h"
#include "data/transitions.h"

namespace romi::data {

// What loading did, for logs and the inspector.
struct LoadSummary {
  std::string source;            // file path or a description
  int64_t file_rows = 0;         // N in the file
  int64_t transitions = 0;       // rows kept
  int64_t dropped_timeouts = 0;  // timeout rows skipped
  int64_t kept_timeouts = 0;     // timeout rows kept (keep_timeouts mode)
  int64_t dropped_last_row = 0;  // 1 when the final row had no successor
  int64_t terminals = 0;         // kept rows with terminal = 1
  int64_t episodes = 0;
  bool used_next_observations = false;    // stored next_observations used instead of obs[i + 1]
  bool timeouts_from_step_count = false;  // file had no 'timeouts'; used max_episode_steps
};

class Dataset {
 public:
  // Builds transitions from the arrays of a (validated) D4RL file.
  static absl::StatusOr<Dataset> FromD4rlFile(const D4rlFile& file, const DatasetOptions& options,
                                              const std::string& source);
  // Reads, validates and builds.
  static absl::StatusOr<Dataset> Load(const std::string& path, const DatasetOptions& options);

  const Transitions& transitions() const { return transitions_; }
  int64_t size() const { return transitions_.size(); }
  int64_t obs_dim() const { return transitions_.obs_dim(); }
  int64_t act_dim() const { return transitions_.act_dim(); }

  // [N] 1 where a kept row ended its episode by the time limit (keep_timeouts mode), else 0.
  const torch::Tensor& timeouts() const { return timeouts_; }

  // Episode e spans transitions [offsets[e], offsets[e + 1]); size episodes + 1.
  const std::vector<int64_t>& episode_offsets() const { return episode_offsets_; }
  int64_t num_episodes() const { return static_cast<int64_t>(episode_offsets_.size()) - 1; }
  // [episodes] undiscounted return of each episode (sum of its kept rewards), float64.
  const torch::Tensor& episode_returns() const { return episode_returns_; }
  // [N] int64: the episode each transition belongs to.
  const torch::Tensor& episode_of_row() const { return episode_of_row_; }
  // [N] the return of the episode each transition belongs to, float64.
  torch::Tensor TransitionEpisodeReturns() const;

  const LoadSummary& summary() const { return summary_; }

 private:
  Transitions transitions_;
  torch::Tensor timeouts_;
  std::vector<int64_t> episode_offsets_;
  torch::Tensor episode_of_row_;  // [N] int64
  torch::Tensor episode_returns_;
  LoadSummary summary_;
};

}  // namespace romi::data

#endif  // ROMI_DATA_DATASET_H_
