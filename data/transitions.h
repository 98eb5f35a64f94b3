// Columnar transition tables: the dataset, the model buffer and every training batch share this
// shape.
#ifndef ROMI_DATA_TRANSITIONS_H_
#define ROMI_DATA_TRANSITIONS_H_

#include <torch/torch.h>

#include <cstdint>

namespace romi::data {

// Row i is one transition (s, a, r, s', done). All columns are float32 CPU tensors with N rows.
struct Transitions {
  torch::Tensor observations;       // [N, obs_dim]  s
  torch::Tensor actions;            // [N, act_dim]  a
  torch::Tensor rewards;            // [N]           r
  torch::Tensor next_observations;  // [N, obs_dim]  s'
  torch::Tensor terminals;          // [N]           1 where s' is terminal (no bootstrap), else 0

  int64_t size() const { return observations.defined() ? observations.size(0) : 0; }
  int64_t obs_dim() const { return observations.size(1); }
  int64_t act_dim() const { return actions.size(1); }

  // Zero-filled table of `rows` rows, e.g. a reusable batch buffer.
  static Transitions Zeros(int64_t rows, int64_t obs_dim, int64_t act_dim);

  // Rows `indices` (int64 [B]) of every column: one index_select per column.
  Transitions Select(const torch::Tensor& indices) const;
  // Writes rows `indices` into `out` rows [offset, offset + B), without allocating.
  void SelectInto(const torch::Tensor& indices, Transitions* out, int64_t offset) const;
  // Rows [start, start + length) as views (no copy).
  Transitions Slice(int64_t start, int64_t length) const;
  // The rows whose s' is not terminal, in order; the table itself (no copy) when it has none.
  Transitions NonTerminal() const;
};

// A training batch is a small transition table.
using Batch = Transitions;

}  // namespace romi::data

#endif  // ROMI_DATA_TRANSITIONS_H_
