#include "data/return_priority.h"

#include <algorithm>

namespace romi::data {

torch::Tensor ReturnPriorityWeights(const Dataset& dataset) {
  const torch::Tensor& returns = dataset.episode_returns();
  const double low = returns.min().item<double>();
  const double high = returns.max().item<double>();
  const torch::Tensor episode_weights = (returns - low) / std::max(1.0, high - low);
  return episode_weights.index_select(0, dataset.episode_of_row());
}

IndexDistribution ReturnPriorityDistribution(const Dataset& dataset) {
  absl::StatusOr<IndexDistribution> weighted =
      IndexDistribution::Weighted(ReturnPriorityWeights(dataset));
  return weighted.ok() ? *std::move(weighted) : IndexDistribution::Uniform(dataset.size());
}

}  // namespace romi::data
