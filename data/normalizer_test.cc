#include "data/normalizer.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

TEST(NormalizerTest, FitStandardizesEachDimension) {
  torch::manual_seed(0);
  const torch::Tensor data = torch::randn({5000, 3}) * torch::tensor({1.0f, 10.0f, 0.1f}) +
                             torch::tensor({5.0f, -3.0f, 0.0f});
  const Normalizer normalizer = Normalizer::Fit(data);
  const torch::Tensor z = normalizer.Normalize(data);
  EXPECT_TRUE(torch::allclose(z.mean(0), torch::zeros({3}), 0, 1e-4));
  EXPECT_TRUE(torch::allclose(z.std(0, /*unbiased=*/false), torch::ones({3}), 0, 1e-4));
  EXPECT_TRUE(torch::allclose(normalizer.Denormalize(z), data, 1e-5, 1e-4));
}

TEST(NormalizerTest, HandComputedStatistics) {
  const torch::Tensor data = torch::tensor({{1.0f, 4.0f}, {3.0f, 4.0f}});
  const Normalizer normalizer = Normalizer::Fit(data);
  EXPECT_TRUE(torch::equal(normalizer.mean(), torch::tensor({2.0f, 4.0f})));
  // The second dimension is constant: std below the floor becomes 1 (centred, not scaled).
  EXPECT_TRUE(torch::equal(normalizer.std(), torch::tensor({1.0f, 1.0f})));
  EXPECT_TRUE(torch::equal(normalizer.Normalize(torch::tensor({{5.0f, 6.0f}})),
                           torch::tensor({{3.0f, 2.0f}})));
}

TEST(NormalizerTest, ConfigurableFloor) {
  const torch::Tensor data = torch::tensor({{0.0f}, {0.002f}});  // std 0.001
  EXPECT_FLOAT_EQ(Normalizer::Fit(data).std().item<float>(), 0.001f);
  EXPECT_FLOAT_EQ(Normalizer::Fit(data, /*min_std=*/0.01).std().item<float>(), 1.0f);
}

TEST(NormalizerTest, ProtoRoundTrip) {
  const Normalizer original = Normalizer::Fit(torch::rand({100, 4}) * 3 + 1);
  const absl::StatusOr<Normalizer> restored = Normalizer::FromProto(original.ToProto());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_TRUE(torch::equal(restored->mean(), original.mean()));
  EXPECT_TRUE(torch::equal(restored->std(), original.std()));
  // Through the wire format too.
  NormalizerProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(original.ToProto().SerializeAsString()));
  EXPECT_TRUE(torch::equal(Normalizer::FromProto(parsed)->std(), original.std()));
}

TEST(NormalizerTest, IdentityLeavesDataUnchanged) {
  const torch::Tensor x = torch::rand({3, 2});
  EXPECT_TRUE(torch::equal(Normalizer::Identity(2).Normalize(x), x));
}

TEST(NormalizerTest, FromProtoRejectsBadStatistics) {
  NormalizerProto mismatched;
  mismatched.add_mean(0);
  EXPECT_EQ(Normalizer::FromProto(mismatched).status().code(), absl::StatusCode::kInvalidArgument);
  NormalizerProto zero_std;
  zero_std.add_mean(0);
  zero_std.add_std(0);
  EXPECT_EQ(Normalizer::FromProto(zero_std).status().code(), absl::StatusCode::kInvalidArgument);
  NormalizerProto nan_mean;
  nan_mean.add_mean(std::nanf(""));
  nan_mean.add_std(1);
  EXPECT_EQ(Normalizer::FromProto(nan_mean).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::data
