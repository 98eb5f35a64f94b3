// Per-dimension standardization x -> (x - mean) / std, fitted on data and saved with a model.
//
// Dimensions whose standard deviation is below `min_std` (constant features such as maze2d's
// never-changing goal, or a dimension absent from the data) get std = 1: they are centred but not
// scaled, so a tiny variance never turns noise into huge inputs. This is the rule of ROMI's public
// code (min_std = 1e-12 there).
#ifndef ROMI_DATA_NORMALIZER_H_
#define ROMI_DATA_NORMALIZER_H_

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "data/normalizer.pb.h"

namespace romi::data {

class Normalizer {
 public:
  static constexpr double kDefaultMinStd = 1e-12;

  // Statistics of the rows of `data` ([N, D], N >= 1).
  static Normalizer Fit(const torch::Tensor& data, double min_std = kDefaultMinStd);
  // Identity transform on `dims` dimensions.
  static Normalizer Identity(int64_t dims);
  // InvalidArgument on mismatched sizes, non-finite values or std <= 0.
  static absl::StatusOr<Normalizer> FromProto(const NormalizerProto& proto);

  NormalizerProto ToProto() const;

  torch::Tensor Normalize(const torch::Tensor& x) const { return (x - mean_) / std_; }
  torch::Tensor Denormalize(const torch::Tensor& z) const { return z * std_ + mean_; }

  const torch::Tensor& mean() const { return mean_; }  // [D] float32
  const torch::Tensor& std() const { return std_; }    // [D] float32
  int64_t dims() const { return mean_.size(0); }

 private:
  Normalizer(torch::Tensor mean, torch::Tensor std)
      : mean_(std::move(mean)), std_(std::move(std)) {}

  torch::Tensor mean_;
  torch::Tensor std_;
};

}  // namespace romi::data

#endif  // ROMI_DATA_NORMALIZER_H_
