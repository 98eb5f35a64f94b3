#include "romi/imagination.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "base/status_macros.h"

namespace romi {

absl::StatusOr<torch::Tensor> TerminalFlags(const envs::TerminationFn& termination,
                                            const torch::Tensor& obs, const torch::Tensor& action,
                                            const torch::Tensor& next_obs) {
  const torch::Tensor o = obs.contiguous();
  const torch::Tensor a = action.contiguous();
  const torch::Tensor n = next_obs.contiguous();
  torch::Tensor done = torch::empty({obs.size(0)}, torch::kBool);
  ROMI_RETURN_IF_ERROR(envs::IsTerminalBatch(termination,
                                             absl::MakeConstSpan(o.data_ptr<float>(), o.numel()),
                                             absl::MakeConstSpan(a.data_ptr<float>(), a.numel()),
                                             absl::MakeConstSpan(n.data_ptr<float>(), n.numel()),
                                             absl::MakeSpan(done.data_ptr<bool>(), done.numel())));
  return done;
}

absl::StatusOr<data::IndexDistribution> ReverseStartDistribution(
    const data::IndexDistribution& rows, const torch::Tensor& terminals) {
  const torch::Tensor non_terminal = terminals == 0;
  if (non_terminal.all().item<bool>()) return rows;
  absl::StatusOr<data::IndexDistribution> starts =
      data::IndexDistribution::Weighted(rows.Probabilities() * non_terminal.to(torch::kFloat64));
  if (!starts.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("imagination: every start row with weight ends in a terminal state (",
                     non_terminal.logical_not().sum().item<int64_t>(), " of ", terminals.size(0),
                     " rows are terminal); no state to start a reverse rollout from"));
  }
  return starts;
}

absl::StatusOr<data::Transitions> Imagine(
    const DynamicsEnsemble& model, RolloutPolicy& policy, const data::Transitions& starts,
    const data::IndexDistribution& start_distribution, const envs::TerminationFn& termination,
    const ImaginationConfig& config, torch::Generator& generator, ImaginationSummary* summary) {
  if (config.rollout_length() < 1 || config.starts_per_round() < 1 || config.buffer_size() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("imagination: rollout_length (",
                                                   config.rollout_length(), "), starts_per_round (",
                                                   config.starts_per_round(), ") and buffer_size (",
                                                   config.buffer_size(), ") must be positive"));
  }
  if (starts.size() == 0 || starts.size() != start_distribution.rows() ||
      starts.obs_dim() != model.obs_dim() || starts.act_dim() != model.act_dim()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "imagination: start table has ", starts.size(), " rows (distribution ",
        start_distribution.rows(), "), obs/act dims ", starts.size() ? starts.obs_dim() : 0, "/",
        starts.size() ? starts.act_dim() : 0, "; the model expects ", model.obs_dim(), "/",
        model.act_dim()));
  }
  const auto start_time = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  const bool reverse = model.direction() == REVERSE;
  std::optional<data::IndexDistribution> reverse_starts;
  if (reverse && config.skip_terminal_starts()) {
    ROMI_ASSIGN_OR_RETURN(reverse_starts,
                          ReverseStartDistribution(start_distribution, starts.terminals));
  }
  const data::IndexDistribution& start_rows =
      reverse_starts.has_value() ? *reverse_starts : start_distribution;
  const int64_t capacity = config.buffer_size();
  data::Transitions buffer = data::Transitions::Zeros(capacity, model.obs_dim(), model.act_dim());
  ImaginationSummary local;
  int64_t filled = 0;

  // Appends up to the buffer's remaining capacity; returns false once it is full.
  const auto append = [&](const torch::Tensor& obs, const torch::Tensor& action,
                          const torch::Tensor& reward, const torch::Tensor& next_obs,
                          const torch::Tensor& done) {
    const int64_t rows = std::min(obs.size(0), capacity - filled);
    buffer.observations.narrow(0, filled, rows).copy_(obs.narrow(0, 0, rows));
    buffer.actions.narrow(0, filled, rows).copy_(action.narrow(0, 0, rows));
    buffer.rewards.narrow(0, filled, rows).copy_(reward.narrow(0, 0, rows));
    buffer.next_observations.narrow(0, filled, rows).copy_(next_obs.narrow(0, 0, rows));
    buffer.terminals.narrow(0, filled, rows).copy_(done.narrow(0, 0, rows));
    local.terminated += done.narrow(0, 0, rows).sum().item<int64_t>();
    filled += rows;
    return filled < capacity;
  };

  bool room = true;
  while (room) {
    ++local.rounds;
    const torch::Tensor index = start_rows.Sample(config.starts_per_round(), generator);
    torch::Tensor known =
        (reverse ? starts.next_observations : starts.observations).index_select(0, index);
    for (int step = 0; step < config.rollout_length() && room && known.size(0) > 0; ++step) {
      const torch::Tensor action = policy.Sample(known, generator);
      const DynamicsEnsemble::Prediction predicted = model.Sample(known, action, generator);
      const torch::Tensor& earlier = reverse ? predicted.states : known;
      const torch::Tensor& later = reverse ? known : predicted.states;
      ROMI_ASSIGN_OR_RETURN(const torch::Tensor done,
                            TerminalFlags(termination, earlier, action, later));
      room = append(earlier, action, predicted.rewards, later, done.to(torch::kFloat32));
      // Continue from the newly predicted states of the rollouts that did not end.
      known = predicted.states.index({torch::logical_not(done)});
    }
  }
  // A model that predicts inf or NaN would otherwise show up only later, as a learner diverging far
  // from its cause (maze2d and halfcheetah never terminate, so no rule stops such a rollout).
  const torch::Tensor finite = torch::isfinite(buffer.observations).all(1) &
                               torch::isfinite(buffer.next_observations).all(1) &
                               torch::isfinite(buffer.rewards);
  if (const int64_t bad = finite.logical_not().sum().item<int64_t>(); bad > 0) {
    return absl::InternalError(absl::StrCat(
        "imagination: ", bad, " of ", filled, " imagined transitions hold inf or NaN (the ",
        reverse ? "reverse" : "forward", " model's predictions); the model buffer is not kept"));
  }
  local.rows = filled;
  local.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  if (summary != nullptr) *summary = local;
  return buffer;
}

std::vector<std::vector<int64_t>> FirstRoundRollouts(const data::Transitions& buffer,
                                                     const ImaginationConfig& config,
                                                     int64_t count) {
  const int64_t rows = buffer.size();
  const int64_t starts = std::min<int64_t>(config.starts_per_round(), rows);
  std::vector<std::vector<int64_t>> rollouts(std::max<int64_t>(0, std::min(count, starts)));
  if (rollouts.empty()) return rollouts;
  const torch::Tensor terminals = buffer.terminals.to(torch::kFloat32).contiguous();
  const float* done = terminals.data_ptr<float>();
  std::vector<int64_t> going(starts);  // rollout ids still going, in their row order
  for (int64_t i = 0; i < starts; ++i) going[i] = i;
  int64_t block = 0;  // the first row of this step's block
  for (int step = 0; step < config.rollout_length() && !going.empty() && block < rows; ++step) {
    std::vector<int64_t> next;
    for (size_t k = 0; k < going.size() && block + static_cast<int64_t>(k) < rows; ++k) {
      const int64_t row = block + static_cast<int64_t>(k);
      if (going[k] < static_cast<int64_t>(rollouts.size())) rollouts[going[k]].push_back(row);
      if (done[row] == 0) next.push_back(going[k]);
    }
    block += static_cast<int64_t>(going.size());
    going = std::move(next);
  }
  return rollouts;
}

}  // namespace romi
