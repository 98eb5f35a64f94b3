#include "data/normalizer.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace romi::data {

Normalizer Normalizer::Fit(const torch::Tensor& data, double min_std) {
  // Statistics in float64: float32 sums over millions of rows lose digits.
  const torch::Tensor x = data.to(torch::kFloat64).reshape({data.size(0), -1});
  const torch::Tensor mean = x.mean(0);
  torch::Tensor std = x.std(0, /*unbiased=*/false);
  std = torch::where(std < min_std, torch::ones_like(std), std);
  return Normalizer(mean.to(torch::kFloat32), std.to(torch::kFloat32));
}

Normalizer Normalizer::Identity(int64_t dims) {
  return Normalizer(torch::zeros({dims}), torch::ones({dims}));
}

absl::StatusOr<Normalizer> Normalizer::FromProto(const NormalizerProto& proto) {
  if (proto.mean_size() != proto.std_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("normalizer: ", proto.mean_size(), " means but ", proto.std_size(), " stds"));
  }
  for (int i = 0; i < proto.mean_size(); ++i) {
    if (!std::isfinite(proto.mean(i)) || !std::isfinite(proto.std(i)) || proto.std(i) <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("normalizer: dimension ", i, " has mean ",
                                                     proto.mean(i), " and std ", proto.std(i)));
    }
  }
  const int64_t dims = proto.mean_size();
  torch::Tensor mean = torch::empty({dims});
  torch::Tensor std = torch::empty({dims});
  std::copy(proto.mean().begin(), proto.mean().end(), mean.data_ptr<float>());
  std::copy(proto.std().begin(), proto.std().end(), std.data_ptr<float>());
  return Normalizer(mean, std);
}

NormalizerProto Normalizer::ToProto() const {
  NormalizerProto proto;
  const float* mean = mean_.data_ptr<float>();
  const float* std = std_.data_ptr<float>();
  for (int64_t i = 0; i < dims(); ++i) {
    proto.add_mean(mean[i]);
    proto.add_std(std[i]);
  }
  return proto;
}

}  // namespace romi::data
