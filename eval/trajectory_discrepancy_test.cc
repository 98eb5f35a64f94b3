#include "eval/trajectory_discrepancy.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

// The k-d tree's distances are the brute-force ones, on scattered and clustered data, in the
// dimensions of maze2d (4), the gym tasks (11, 17) and antmaze (29), with duplicate rows.
TEST(NearestDistancesTest, MatchesBruteForce) {
  torch::manual_seed(1);
  for (const int64_t dims : {1, 4, 11, 29}) {
    torch::Tensor reference = torch::randn({3000, dims});
    // A cluster (a trajectory-like thin set) and repeated rows, as datasets have.
    reference.slice(0, 0, 500) = torch::randn({500, dims}) * 0.01 + 3;
    reference.slice(0, 500, 600) = reference.slice(0, 600, 700).clone();
    const torch::Tensor queries =
        torch::cat({torch::randn({300, dims}) * 2, torch::randn({200, dims}) * 0.02 + 3}, 0);
    absl::StatusOr<torch::Tensor> distances = NearestDistances(queries, reference);
    ASSERT_TRUE(distances.ok()) << distances.status();
    const torch::Tensor expected =
        std::get<0>(torch::cdist(queries.to(torch::kFloat64), reference.to(torch::kFloat64)).min(1))
            .to(torch::kFloat32);
    EXPECT_TRUE(torch::allclose(*distances, expected, 1e-5, 1e-6)) << dims;
  }
}

// Every row equal: no split is possible, and the leaf holds them all.
TEST(NearestDistancesTest, AReferenceOfIdenticalRows) {
  const torch::Tensor reference = torch::ones({100, 3});
  absl::StatusOr<torch::Tensor> distances = NearestDistances(torch::zeros({2, 3}), reference);
  ASSERT_TRUE(distances.ok());
  EXPECT_TRUE(torch::allclose(*distances, torch::full({2}, std::sqrt(3.0f))));
}

TEST(NearestDistancesTest, ZeroForStatesInTheData) {
  const torch::Tensor reference = torch::randn({100, 3});
  absl::StatusOr<torch::Tensor> distances = NearestDistances(reference.slice(0, 10, 20), reference);
  ASSERT_TRUE(distances.ok());
  EXPECT_EQ(distances->max().item<float>(), 0.0f);  // differences, not norms: exact
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
