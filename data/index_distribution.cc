#include "data/index_distribution.h"

#include "absl/strings/str_cat.h"

namespace romi::data {

IndexDistribution IndexDistribution::Uniform(int64_t rows) {
  return IndexDistribution(rows, torch::Tensor(), 0.0);
}

absl::StatusOr<IndexDistribution> IndexDistribution::Weighted(const torch::Tensor& weights) {
  if (weights.dim() != 1 || weights.size(0) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sampling weights must be a non-empty vector, got shape ", c10::str(weights.sizes())));
  }
  const torch::Tensor w = weights.to(torch::kFloat64);
  if (!torch::isfinite(w).all().item<bool>() || (w < 0).any().item<bool>()) {
    return absl::InvalidArgumentError("sampling weights must be finite and non-negative");
  }
  torch::Tensor cumulative = w.cumsum(0);
  if (cumulative[-1].item<double>() <= 0) {
    return absl::InvalidArgumentError("sampling weights sum to zero");
  }
  const double total = cumulative[-1].item<double>();
  return IndexDistribution(w.size(0), std::move(cumulative), total);
}

torch::Tensor IndexDistribution::Probabilities() const {
  if (uniform()) return torch::full({rows_}, 1.0 / rows_, torch::kFloat64);
  const torch::Tensor weights = torch::diff(cumulative_, 1, 0, torch::zeros({1}, torch::kFloat64));
  return weights / total_;
}

void IndexDistribution::SampleInto(torch::Generator& generator, torch::Tensor& indices,
                                   torch::Tensor& scratch) const {
  if (uniform()) {
    torch::randint_out(indices, rows_, {indices.size(0)}, generator);
    return;
  }
  // Inverse-CDF sampling: u ~ U[0, total), index = first i with cumulative[i] > u. Rows with zero
  // weight have an empty interval and are never drawn.
  torch::rand_out(scratch, {indices.size(0)}, generator);
  scratch.mul_(total_);
  torch::searchsorted_out(indices, cumulative_, scratch, /*out_int32=*/false, /*right=*/true);
  indices.clamp_max_(rows_ - 1);  // guards u == total after rounding
}

torch::Tensor IndexDistribution::Sample(int64_t count, torch::Generator& generator) const {
  torch::Tensor indices = torch::empty({count}, torch::kInt64);
  torch::Tensor scratch = torch::empty({count}, torch::kFloat64);
  SampleInto(generator, indices, scratch);
  return indices;
}

}  // namespace romi::data
