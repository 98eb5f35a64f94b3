#include "data/transitions.h"

namespace romi::data {

Transitions Transitions::Zeros(int64_t rows, int64_t obs_dim, int64_t act_dim) {
  return {torch::zeros({rows, obs_dim}), torch::zeros({rows, act_dim}), torch::zeros({rows}),
          torch::zeros({rows, obs_dim}), torch::zeros({rows})};
}

Transitions Transitions::Select(const torch::Tensor& indices) const {
  return {observations.index_select(0, indices), actions.index_select(0, indices),
          rewards.index_select(0, indices), next_observations.index_select(0, indices),
          terminals.index_select(0, indices)};
}

Transitions Transitions::NonTerminal() const {
  const torch::Tensor keep = torch::nonzero(terminals == 0).squeeze(1);
  if (keep.size(0) == size()) return *this;
  return Select(keep);
}

void Transitions::SelectInto(const torch::Tensor& indices, Transitions* out, int64_t offset) const {
  const int64_t rows = indices.size(0);
  // Rows [offset, offset + rows) of a contiguous column are themselves contiguous, so
  // index_select_out writes straight into the caller's buffer.
  const auto gather = [&](const torch::Tensor& from, const torch::Tensor& to) {
    torch::Tensor destination = to.narrow(0, offset, rows);
    torch::index_select_out(destination, from, 0, indices);
  };
  gather(observations, out->observations);
  gather(actions, out->actions);
  gather(rewards, out->rewards);
  gather(next_observations, out->next_observations);
  gather(terminals, out->terminals);
}

Transitions Transitions::Slice(int64_t start, int64_t length) const {
  return {observations.narrow(0, start, length), actions.narrow(0, start, length),
          rewards.narrow(0, start, length), next_observations.narrow(0, start, length),
          terminals.narrow(0, start, length)};
}

}  // namespace romi::data
