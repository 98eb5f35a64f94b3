// Distributions over the rows of a table: uniform, or proportional to non-negative weights.
//
// Weighted draws use the cumulative weights and a binary search per draw (O(B log N) per batch, no
// O(N) pass), so prioritized sampling from a 4e6-row buffer costs about what uniform sampling does.
#ifndef ROMI_DATA_INDEX_DISTRIBUTION_H_
#define ROMI_DATA_INDEX_DISTRIBUTION_H_

#include <torch/torch.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace romi::data {

class IndexDistribution {
 public:
  static IndexDistribution Uniform(int64_t rows);
  // P(i) = weights[i] / sum(weights). InvalidArgument unless weights are a finite, non-negative
  // [N] vector with a positive sum.
  static absl::StatusOr<IndexDistribution> Weighted(const torch::Tensor& weights);

  int64_t rows() const { return rows_; }
  bool uniform() const { return !cumulative_.defined(); }
  // P(i) for every row, float64 [N].
  torch::Tensor Probabilities() const;

  // Fills `indices` (int64 [B]) with draws. `scratch` is a float64 [B] buffer that weighted draws
  // use, so repeated calls allocate nothing.
  void SampleInto(torch::Generator& generator, torch::Tensor& indices,
                  torch::Tensor& scratch) const;
  // Convenience form that allocates.
  torch::Tensor Sample(int64_t count, torch::Generator& generator) const;

 private:
  IndexDistribution(int64_t rows, torch::Tensor cumulative, double total)
      : rows_(rows), cumulative_(std::move(cumulative)), total_(total) {}

  int64_t rows_;
  torch::Tensor cumulative_;  // float64 [N] running sum of the weights; undefined when uniform
  double total_;              // the sum of the weights
};

}  // namespace romi::data

#endif  // ROMI_DATA_INDEX_DISTRIBUTION_H_
