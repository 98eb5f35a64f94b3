#include "eval/trajectory_discrepancy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::eval {

namespace {

// An exact nearest-neighbour index over the rows of an [N, d] table: a k-d tree (each node splits
// its rows at the median of their widest coordinate; leaves hold at most kLeafRows rows), searched
// nearest side first and pruned by the distance to the splitting plane. Distances are sums of
// squared coordinate differences in float64: exact to rounding, with none of the cancellation of
// ||q||^2 - 2 q.s + ||s||^2.
class KdTree {
 public:
  explicit KdTree(const torch::Tensor& table)
      : rows_(table.size(0)), dims_(table.size(1)), order_(static_cast<size_t>(rows_)) {
    // Stored as float (the datasets' own precision: exact), compared in float64.
    const torch::Tensor values = table.to(torch::kFloat32).contiguous();
    points_.assign(values.data_ptr<float>(), values.data_ptr<float>() + rows_ * dims_);
    std::iota(order_.begin(), order_.end(), int64_t{0});
    Build(0, rows_);
  }

  // The squared distance from `query` (d values) to its nearest row.
  double NearestSquared(const double* query) const {
    double best = std::numeric_limits<double>::infinity();
    Search(0, query, &best);
    return best;
  }

 private:
  static constexpr int64_t kLeafRows = 16;
  struct Node {
    int64_t begin, end;  // rows order_[begin, end)
    int64_t dim = -1;    // -1: a leaf
    double split = 0;
    int32_t low = -1, high = -1;  // children: coordinates <= split, >= split
  };

  double Coordinate(int64_t row, int64_t dim) const { return points_[row * dims_ + dim]; }

  int32_t Build(int64_t begin, int64_t end) {
    const auto index = static_cast<int32_t>(nodes_.size());
    nodes_.push_back(Node{begin, end});
    if (end - begin <= kLeafRows) return index;
    int64_t widest = 0;
    double widest_span = -1;
    for (int64_t dim = 0; dim < dims_; ++dim) {
      double low = std::numeric_limits<double>::infinity();
      double high = -low;
      for (int64_t i = begin; i < end; ++i) {
        const double x = Coordinate(order_[i], dim);
        low = std::min(low, x);
        high = std::max(high, x);
      }
      if (high - low > widest_span) {
        widest_span = high - low;
        widest = dim;
      }
    }
    if (widest_span <= 0) return index;  // all rows equal: a leaf, however many
    const int64_t middle = begin + (end - begin) / 2;
    std::nth_element(
        order_.begin() + begin, order_.begin() + middle, order_.begin() + end,
        [&](int64_t a, int64_t b) { return Coordinate(a, widest) < Coordinate(b, widest); });
    const double split = Coordinate(order_[middle], widest);
    const int32_t low = Build(begin, middle);
    const int32_t high = Build(middle, end);
    Node& node = nodes_[index];  // Build may have moved nodes_
    node.dim = widest;
    node.split = split;
    node.low = low;
    node.high = high;
    return index;
  }

  void Search(int32_t index, const double* query, double* best) const {
    const Node& node = nodes_[index];
    if (node.dim < 0) {
      for (int64_t i = node.begin; i < node.end; ++i) {
        const float* row = points_.data() + order_[i] * dims_;
        double sum = 0;
        for (int64_t dim = 0; dim < dims_ && sum < *best; ++dim) {
          const double difference = query[dim] - row[dim];
          sum += difference * difference;
        }
        *best = std::min(*best, sum);
      }
      return;
    }
    const double offset = query[node.dim] - node.split;
    Search(offset <= 0 ? node.low : node.high, query, best);
    if (offset * offset < *best) Search(offset <= 0 ? node.high : node.low, query, best);
  }

  int64_t rows_, dims_;
  std::vector<float> points_;  // row-major [rows_, dims_]
  std::vector<int64_t> order_;
  std::vector<Node> nodes_;
};

}  // namespace

absl::StatusOr<torch::Tensor> NearestDistances(const torch::Tensor& queries,
                                               const torch::Tensor& reference) {
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
  const KdTree tree(reference);
  const torch::Tensor q = queries.to(torch::kFloat64).contiguous();
  const int64_t dims = q.size(1);
  torch::Tensor distances = torch::empty({q.size(0)}, torch::kFloat64);
  const double* query = q.data_ptr<double>();
  double* out = distances.data_ptr<double>();
  // Queries are independent: spread over the intra-op threads (the tree is read-only).
  at::parallel_for(0, q.size(0), 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = std::sqrt(tree.NearestSquared(query + i * dims));
  });
  return distances.to(torch::kFloat32);
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
