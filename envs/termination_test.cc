#include "envs/termination.h"

#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace romi::envs {
namespace {

// A healthy hopper observation: height 1.25, upright, at rest.
std::vector<double> HealthyHopper() {
  std::vector<double> obs(11, 0.0);
  obs[0] = 1.25;
  return obs;
}

bool HopperDone(const std::vector<double>& next_obs) {
  const std::vector<double> obs = HealthyHopper();
  const std::vector<double> action(3, 0.0);
  return IsTerminal(HopperTermination(), obs, action, next_obs).value();
}

TEST(HopperTerminationTest, HealthyStateContinues) { EXPECT_FALSE(HopperDone(HealthyHopper())); }

TEST(HopperTerminationTest, HeightEdgeIsStrict) {
  std::vector<double> obs = HealthyHopper();
  obs[0] = 0.7000001;
  EXPECT_FALSE(HopperDone(obs));
  obs[0] = 0.7;
  EXPECT_TRUE(HopperDone(obs));
}

TEST(HopperTerminationTest, AngleEdgeIsStrictBothWays) {
  std::vector<double> obs = HealthyHopper();
  obs[1] = 0.1999999;
  EXPECT_FALSE(HopperDone(obs));
  obs[1] = 0.2;
  EXPECT_TRUE(HopperDone(obs));
  obs[1] = -0.1999999;
  EXPECT_FALSE(HopperDone(obs));
  obs[1] = -0.2;
  EXPECT_TRUE(HopperDone(obs));
}

TEST(HopperTerminationTest, StateMagnitudeEdge) {
  std::vector<double> obs = HealthyHopper();
  obs[7] = 99.999;
  EXPECT_FALSE(HopperDone(obs));
  obs[7] = -100.0;
  EXPECT_TRUE(HopperDone(obs));
}

TEST(HopperTerminationTest, NonFiniteTerminates) {
  std::vector<double> obs = HealthyHopper();
  obs[10] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(HopperDone(obs));
  obs[10] = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(HopperDone(obs));
}

bool WalkerDone(double height, double angle) {
  std::vector<double> next_obs(17, 0.0);
  next_obs[0] = height;
  next_obs[1] = angle;
  const std::vector<double> obs(17, 0.0), action(6, 0.0);
  return IsTerminal(Walker2dTermination(), obs, action, next_obs).value();
}

TEST(Walker2dTerminationTest, HeightAndAngleEdges) {
  EXPECT_FALSE(WalkerDone(1.25, 0.0));
  EXPECT_FALSE(WalkerDone(0.8000001, 0.0));
  EXPECT_TRUE(WalkerDone(0.8, 0.0));
  EXPECT_FALSE(WalkerDone(1.9999999, 0.0));
  EXPECT_TRUE(WalkerDone(2.0, 0.0));
  EXPECT_FALSE(WalkerDone(1.25, 0.9999999));
  EXPECT_TRUE(WalkerDone(1.25, 1.0));
  EXPECT_FALSE(WalkerDone(1.25, -0.9999999));
  EXPECT_TRUE(WalkerDone(1.25, -1.0));
  EXPECT_TRUE(WalkerDone(std::nan(""), 0.0));
}

TEST(Walker2dTerminationTest, VelocitiesDoNotMatter) {
  std::vector<double> next_obs(17, 1e6);
  next_obs[0] = 1.25;
  next_obs[1] = 0.0;
  const std::vector<double> obs(17, 0.0), action(6, 0.0);
  EXPECT_FALSE(IsTerminal(Walker2dTermination(), obs, action, next_obs).value());
}

bool AntDone(const TerminationFn& fn, double x, double y) {
  std::vector<double> next_obs(29, 0.0);
  next_obs[0] = x;
  next_obs[1] = y;
  const std::vector<double> obs(29, 0.0), action(8, 0.0);
  return IsTerminal(fn, obs, action, next_obs).value();
}

TEST(AntMazeTerminationTest, WithinHalfOfEachMazesGoal) {
  EXPECT_TRUE(AntDone(AntUMazeTermination(), 0.75, 8.75));
  EXPECT_TRUE(AntDone(AntUMazeTermination(), 1.25, 8.75));  // Exactly 0.5 away.
  EXPECT_FALSE(AntDone(AntUMazeTermination(), 1.2501, 8.75));
  EXPECT_FALSE(AntDone(AntUMazeTermination(), 0.75 + 0.36, 8.75 + 0.36));
  EXPECT_FALSE(AntDone(AntUMazeTermination(), 0.0, 0.0));
  EXPECT_TRUE(AntDone(AntMediumMazeTermination(), 20.75, 20.4));
  EXPECT_FALSE(AntDone(AntMediumMazeTermination(), 0.75, 8.75));
  EXPECT_TRUE(AntDone(AntLargeMazeTermination(), 32.5, 24.75));
  EXPECT_FALSE(AntDone(AntLargeMazeTermination(), 20.75, 20.75));
  EXPECT_FALSE(AntDone(AntLargeMazeTermination(), std::nan(""), 24.75));
  EXPECT_EQ(AntMediumMazeTermination().name, "antmaze-medium");
}

TEST(AntMazeTerminationTest, BatchedFloatRuleAgrees) {
  std::vector<float> obs(2 * 29, 0.0f), next_obs(2 * 29, 0.0f), action(2 * 8, 0.0f);
  next_obs[0] = 32.75f;
  next_obs[1] = 24.75f;
  next_obs[29] = 32.75f;
  next_obs[30] = 25.5f;
  bool done[2];
  ASSERT_TRUE(
      IsTerminalBatch(AntLargeMazeTermination(), obs, action, next_obs, absl::MakeSpan(done, 2))
          .ok());
  EXPECT_TRUE(done[0]);
  EXPECT_FALSE(done[1]);
}

TEST(NeverTerminatesTest, NeverFires) {
  const TerminationFn fn = NeverTerminates(4, 2);
  const std::vector<double> obs(4, 1e9), action(2, 0.0);
  EXPECT_FALSE(IsTerminal(fn, obs, action, obs).value());
}

TEST(TerminationTest, WrongSizesAreInvalidArgument) {
  const std::vector<double> obs(10, 0.0), action(3, 0.0);
  const auto result = IsTerminal(HopperTermination(), obs, action, obs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("expected 11"), absl::string_view::npos);
}

TEST(TerminationBatchTest, MatchesPerRowRule) {
  const TerminationFn& fn = HopperTermination();
  constexpr int kBatch = 4;
  std::vector<float> obs(kBatch * 11, 0.0f), next_obs(kBatch * 11, 0.0f), action(kBatch * 3, 0.0f);
  const float heights[kBatch] = {1.25f, 0.5f, 1.0f, 1.0f};
  const float angles[kBatch] = {0.0f, 0.0f, 0.3f, -0.1f};
  for (int b = 0; b < kBatch; ++b) {
    next_obs[b * 11 + 0] = heights[b];
    next_obs[b * 11 + 1] = angles[b];
  }
  bool done[kBatch];
  ASSERT_TRUE(IsTerminalBatch(fn, obs, action, next_obs, absl::MakeSpan(done, kBatch)).ok());
  EXPECT_FALSE(done[0]);
  EXPECT_TRUE(done[1]);
  EXPECT_TRUE(done[2]);
  EXPECT_FALSE(done[3]);
}

TEST(TerminationBatchTest, RejectsMismatchedShapes) {
  std::vector<float> obs(2 * 11), next_obs(2 * 11), action(2 * 3 - 1);
  bool done[2];
  const absl::Status status =
      IsTerminalBatch(HopperTermination(), obs, action, next_obs, absl::MakeSpan(done, 2));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::envs
