#include "eval/trajectory_discrepancy.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::eval {

absl::StatusOr<torch::Tensor> NearestDistances(const torch::Tensor& queries,
                                               const torch::Tensor& reference, int64_t chunk_rows) {
  if (queries.dim() != 2 || reference.dim() != 2 || queries.size(1) != reference.size(1)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("nearest distances need [Q, d] queries and [N, d] reference states; got %s "
                        "and %s",
                        c10::str(queries.sizes()), c10::str(reference.sizes())));
  }
  if (reference.size(0) == 0) {
    return absl::InvalidArgumentError("nearest distances: the reference set is empty");
  }
  torch::NoGradGuard no_grad;
  // float64 keeps ||q||^2 - 2 q.s + ||s||^2 from cancelling badly for nearby points.
  // The distance block of a query chunk against a reference chunk is kept under kMaxBlock values
  // (64 MB): a 100-episode evaluation has ~3e4 visited states, and one block against 65 536
  // reference rows at once would take 16 GB.
  constexpr int64_t kMaxBlock = int64_t{1} << 23;
  constexpr int64_t kQueryChunk = 4096;
  const torch::Tensor q = queries.to(torch::kFloat64);
  const torch::Tensor q_norms = q.square().sum(1, /*keepdim=*/true);  // [Q, 1]
  torch::Tensor best =
      torch::full({q.size(0)}, std::numeric_limits<double>::infinity(), torch::kFloat64);
  const int64_t query_rows = std::max<int64_t>(1, std::min(kQueryChunk, q.size(0)));
  const int64_t reference_rows = std::max<int64_t>(1, std::min(chunk_rows, kMaxBlock / query_rows));
  for (int64_t start = 0; start < reference.size(0); start += reference_rows) {
    const int64_t rows = std::min(reference_rows, reference.size(0) - start);
    const torch::Tensor s = reference.slice(0, start, start + rows).to(torch::kFloat64);
    const torch::Tensor s_norms = s.square().sum(1).unsqueeze(0);  // [1, rows]
    for (int64_t first = 0; first < q.size(0); first += query_rows) {
      const int64_t count = std::min(query_rows, q.size(0) - first);
      const torch::Tensor block =
          torch::addmm(q_norms.slice(0, first, first + count) + s_norms,
                       q.slice(0, first, first + count), s.t(), /*beta=*/1, /*alpha=*/-2);
      torch::Tensor best_rows = best.slice(0, first, first + count);
      best_rows.copy_(torch::minimum(best_rows, std::get<0>(block.min(1))));
    }
  }
  return best.clamp_min(0).sqrt().to(torch::kFloat32);
}

absl::StatusOr<double> AverageTrajectoryDiscrepancy(const std::vector<torch::Tensor>& trajectories,
                                                    const torch::Tensor& dataset_states) {
  if (trajectories.empty()) {
    return absl::InvalidArgumentError("trajectory discrepancy of no trajectories");
  }
  std::vector<int64_t> lengths;
  for (const torch::Tensor& trajectory : trajectories) lengths.push_back(trajectory.size(0));
  // One pass over the dataset for all trajectories together.
  ROMI_ASSIGN_OR_RETURN(const torch::Tensor distances,
                        NearestDistances(torch::cat(trajectories, 0), dataset_states));
  double sum = 0;
  int64_t offset = 0;
  for (int64_t length : lengths) {
    sum += distances.slice(0, offset, offset + length).to(torch::kFloat64).mean().item<double>();
    offset += length;
  }
  return sum / static_cast<double>(trajectories.size());
}

}  // namespace romi::eval
