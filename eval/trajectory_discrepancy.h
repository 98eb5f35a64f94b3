// The average trajectory discrepancy (paper Eq. 5): how far a policy strays from the data.
//
//   D(dataset, tau) = 1 / (H + 1) * sum_{t = 0..H} min_{s in dataset} || s_t - s ||_2
//
// Exact nearest neighbours by brute force, batched: the distances between a block of queries and
// a block of dataset states come from one matmul (||q||^2 - 2 q.s + ||s||^2), and only the running
// minimum is kept, so memory stays at one [queries, chunk] block however large the dataset. For
// 1e6 dataset states and a few thousand visited states this is a few seconds on 2 cores.
#ifndef ROMI_EVAL_TRAJECTORY_DISCREPANCY_H_
#define ROMI_EVAL_TRAJECTORY_DISCREPANCY_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace romi::eval {

// For every row of `queries` [Q, d], the Euclidean distance to its nearest row of `reference`
// [N, d]: float32 [Q]. InvalidArgument for mismatched dimensions or an empty reference.
absl::StatusOr<torch::Tensor> NearestDistances(const torch::Tensor& queries,
                                               const torch::Tensor& reference,
                                               int64_t chunk_rows = 65536);

// Eq. 5 averaged over trajectories (each [T_i + 1, d]): the mean of the per-trajectory means.
absl::StatusOr<double> AverageTrajectoryDiscrepancy(const std::vector<torch::Tensor>& trajectories,
                                                    const torch::Tensor& dataset_states);

}  // namespace romi::eval

#endif  // ROMI_EVAL_TRAJECTORY_DISCREPANCY_H_
