#include "eval/trajectory_discrepancy.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

TEST(NearestDistancesTest, MatchesBruteForceAcrossChunks) {
  torch::manual_seed(1);
  const torch::Tensor reference = torch::randn({1000, 5});
  const torch::Tensor queries = torch::randn({37, 5}) * 2;
  absl::StatusOr<torch::Tensor> distances = NearestDistances(queries, reference, /*chunk_rows=*/64);
  ASSERT_TRUE(distances.ok()) << distances.status();
  const torch::Tensor expected = std::get<0>(torch::cdist(queries, reference).min(1));
  EXPECT_TRUE(torch::allclose(*distances, expected, 1e-4, 1e-5));
}

// A 100-episode evaluation visits ~3e4 states: queries are chunked too, so memory stays bounded.
TEST(NearestDistancesTest, ManyQueriesAreChunkedAndStillExact) {
  torch::manual_seed(3);
  const torch::Tensor queries = torch::randn({9000, 4});
  const torch::Tensor reference = torch::randn({2500, 4});
  absl::StatusOr<torch::Tensor> distances = NearestDistances(queries, reference);
  ASSERT_TRUE(distances.ok()) << distances.status();
  const torch::Tensor expected = std::get<0>(torch::cdist(queries, reference).min(1));
  EXPECT_TRUE(torch::allclose(*distances, expected, 1e-4, 1e-5));
}

TEST(NearestDistancesTest, ZeroForStatesInTheData) {
  const torch::Tensor reference = torch::randn({100, 3});
  absl::StatusOr<torch::Tensor> distances = NearestDistances(reference.slice(0, 10, 20), reference);
  ASSERT_TRUE(distances.ok());
  EXPECT_LT(distances->max().item<float>(), 1e-3);
}

TEST(AverageTrajectoryDiscrepancyTest, IsTheMeanOverTrajectoriesOfPerStepMeans) {
  const torch::Tensor data = torch::tensor({{0.0f, 0.0f}, {10.0f, 0.0f}});
  // Distances 0, 1, 2 (mean 1) and 3 (mean 3): the average is 2, not the pooled 1.5.
  const std::vector<torch::Tensor> trajectories = {
      torch::tensor({{0.0f, 0.0f}, {0.0f, 1.0f}, {0.0f, 2.0f}}), torch::tensor({{10.0f, 3.0f}})};
  absl::StatusOr<double> discrepancy = AverageTrajectoryDiscrepancy(trajectories, data);
  ASSERT_TRUE(discrepancy.ok());
  EXPECT_NEAR(*discrepancy, 2.0, 1e-6);
}

TEST(AverageTrajectoryDiscrepancyTest, BadShapesAreErrors) {
  EXPECT_EQ(NearestDistances(torch::zeros({2, 3}), torch::zeros({4, 2})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NearestDistances(torch::zeros({2, 3}), torch::zeros({0, 3})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AverageTrajectoryDiscrepancy({}, torch::zeros({4, 2})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::eval
