// Training batches drawn from one or more transition tables.
//
// A batch is the concatenation of parts; each part draws a fixed number of rows from its table
// with its own IndexDistribution. Uniform batches are one part; ROMI's mixed batches are two:
//   real rows  int(B * (1 - eta) + 0.1)   from the dataset (uniform or return-priority),
//   model rows int(B * eta + 0.1)         from the imagined buffer (uniform),
// exactly as ROMI's public code rounds (so B = 256, eta = 0.1 gives 230 + 25 = 255 rows).
//
// Next() gathers into a batch buffer owned by the sampler (one index_select_out per column and
// part; no allocation per batch). The returned reference is valid until the next call.
#ifndef ROMI_DATA_BATCH_SAMPLER_H_
#define ROMI_DATA_BATCH_SAMPLER_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "data/index_distribution.h"
#include "data/transitions.h"

namespace romi::data {

// A table and the distribution its rows are drawn from.
struct RowSource {
  Transitions table;
  IndexDistribution distribution;
};

class BatchSampler {
 public:
  // `batch_size` rows per batch from `source`.
  static absl::StatusOr<BatchSampler> Uniform(Transitions table, int64_t batch_size);
  // Real and model rows in the proportions above. eta in [0, 1]; a part with 0 rows is left out.
  static absl::StatusOr<BatchSampler> Mixed(RowSource real, RowSource model, int64_t batch_size,
                                            double eta);
  // Real and model row counts for a batch size and eta, by the rounding rule above.
  static int64_t RealRows(int64_t batch_size, double eta);
  static int64_t ModelRows(int64_t batch_size, double eta);

  const Batch& Next(torch::Generator& generator);

  int64_t batch_size() const { return batch_.size(); }
  // Rows per batch from each part, in order (real first).
  std::vector<int64_t> part_rows() const;

 private:
  struct Part {
    RowSource source;
    torch::Tensor indices;  // int64 [rows]
    torch::Tensor scratch;  // float64 [rows]
  };
  static absl::StatusOr<BatchSampler> FromParts(std::vector<std::pair<RowSource, int64_t>> parts);

  std::vector<Part> parts_;
  Batch batch_;
};

}  // namespace romi::data

#endif  // ROMI_DATA_BATCH_SAMPLER_H_
