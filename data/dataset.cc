#include "data/dataset.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace romi::data {

absl::StatusOr<Dataset> Dataset::FromD4rlFile(const D4rlFile& file, const DatasetOptions& options,
                                              const std::string& source) {
  ROMI_RETURN_IF_ERROR(ValidateD4rlFile(file, source));
  const int64_t rows = file.size();
  const bool has_timeouts = file.timeouts.defined();
  if (!has_timeouts && options.max_episode_steps() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": no 'timeouts' key, so episode ends must be found by counting steps; "
                     "set max_episode_steps (the task's episode length)"));
  }
  const bool use_next = options.keep_timeouts() && file.next_observations.defined();

  Dataset dataset;
  LoadSummary& summary = dataset.summary_;
  summary.source = source;
  summary.file_rows = rows;
  summary.used_next_observations = use_next;
  summary.timeouts_from_step_count = !has_timeouts;

  const torch::Tensor terminal_flags = file.terminals.contiguous();
  const torch::Tensor timeout_flags =
      has_timeouts ? file.timeouts.contiguous() : torch::zeros({rows});
  const float* terminal = terminal_flags.data_ptr<float>();
  const float* timeout = timeout_flags.data_ptr<float>();

  // One pass over the flags decides which rows are kept and where episodes end; the columns are
  // then gathered with one index_select each.
  std::vector<int64_t> kept;
  std::vector<float> kept_timeout;
  kept.reserve(rows);
  kept_timeout.reserve(rows);
  dataset.episode_offsets_.push_back(0);
  const int64_t last = use_next ? rows : rows - 1;  // with stored successors every row has one
  int64_t episode_step = 0;
  for (int64_t i = 0; i < last; ++i) {
    const bool final_step =
        has_timeouts ? timeout[i] != 0.0f : episode_step == options.max_episode_steps() - 1;
    const bool done = terminal[i] != 0.0f;
    if (final_step && !use_next) {
      ++summary.dropped_timeouts;
      episode_step = 0;
    } else {
      if (done || final_step) episode_step = 0;
      kept.push_back(i);
      kept_timeout.push_back(final_step ? 1.0f : 0.0f);
      summary.kept_timeouts += final_step ? 1 : 0;
      summary.terminals += done ? 1 : 0;
      ++episode_step;
    }
    const int64_t episode_rows = static_cast<int64_t>(kept.size());
    if ((done || final_step) && episode_rows > dataset.episode_offsets_.back()) {
      dataset.episode_offsets_.push_back(episode_rows);
    }
  }
  summary.dropped_last_row = rows - last;
  summary.transitions = static_cast<int64_t>(kept.size());
  if (summary.transitions == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": key 'observations' has ", rows,
                     " rows but no transition survives (every row is a timeout or the last row)"));
  }
  if (dataset.episode_offsets_.back() < summary.transitions) {
    dataset.episode_offsets_.push_back(summary.transitions);  // the unfinished final episode
  }
  summary.episodes = dataset.num_episodes();

  const torch::Tensor index = torch::tensor(kept, torch::kInt64);
  Transitions& t = dataset.transitions_;
  t.observations = file.observations.index_select(0, index);
  t.actions = file.actions.index_select(0, index);
  t.rewards = file.rewards.index_select(0, index);
  t.terminals = file.terminals.index_select(0, index);
  t.next_observations = use_next ? file.next_observations.index_select(0, index)
                                 : file.observations.index_select(0, index + 1);
  dataset.timeouts_ = torch::tensor(kept_timeout, torch::kFloat32);

  // Episode returns: a segment sum over the offsets.
  const torch::Tensor offsets = torch::tensor(dataset.episode_offsets_, torch::kInt64);
  const torch::Tensor lengths = offsets.slice(0, 1) - offsets.slice(0, 0, -1);
  dataset.episode_of_row_ =
      torch::repeat_interleave(torch::arange(dataset.num_episodes()), lengths);
  dataset.episode_returns_ =
      torch::zeros({dataset.num_episodes()}, torch::kFloat64)
          .index_add_(0, dataset.episode_of_row_, t.rewards.to(torch::kFloat64));
  return dataset;
}

absl::StatusOr<Dataset> Dataset::Load(const std::string& path, const DatasetOptions& options) {
  ROMI_ASSIGN_OR_RETURN(const D4rlFile file, ReadD4rlFile(path));
  return FromD4rlFile(file, options, path);
}

torch::Tensor Dataset::TransitionEpisodeReturns() const {
  return episode_returns_.index_select(0, episode_of_row_);
}

}  // namespace romi::data
