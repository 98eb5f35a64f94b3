#include "eval/evaluator.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

BatchPolicy Constant(int act_dim, float value) {
  return [act_dim, value](const torch::Tensor& obs) {
    return torch::full({obs.size(0), act_dim}, value);
  };
}

TEST(EvaluatorTest, RunsFullEpisodesAndScoresThemLikeD4rl) {
  EvaluationOptions options;
  options.episodes = 3;
  options.seed = 4;
  absl::StatusOr<EvaluationReport> report = Evaluate("maze2d-umaze-v1", Constant(2, 0.0f), options);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->returns.size(), 3u);
  const envs::EnvSpec spec = *envs::FindSpec("maze2d-umaze-v1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(report->lengths[i], spec.max_episode_steps);  // maze2d never terminates
    EXPECT_NEAR(
        report->scores[i],
        100 * (report->returns[i] - spec.ref_min_score) / (spec.ref_max_score - spec.ref_min_score),
        1e-9);
  }
}

TEST(EvaluatorTest, TerminatingEpisodesEndEarlyAndStatesAreRecorded) {
  EvaluationOptions options;
  options.episodes = 4;
  options.record_states = true;
  options.threads = 2;
  // Full torque on every hopper joint topples it long before the time limit.
  absl::StatusOr<EvaluationReport> report =
      Evaluate("hopper-random-v2", Constant(3, 1.0f), options);
  ASSERT_TRUE(report.ok()) << report.status();
  for (int i = 0; i < 4; ++i) {
    EXPECT_LT(report->lengths[i], 1000);
    EXPECT_EQ(report->trajectories[i].size(0), report->lengths[i] + 1);
    EXPECT_EQ(report->trajectories[i].size(1), 11);
  }
}

TEST(EvaluatorTest, DiscountedReturnsAndFirstStepsPerEpisode) {
  EvaluationOptions options;
  options.episodes = 3;
  options.record_states = true;
  options.threads = 2;
  options.discount = 1.0;  // undiscounted: the plain return, summed in the same order
  absl::StatusOr<EvaluationReport> plain = Evaluate("hopper-random-v2", Constant(3, 0.5f), options);
  ASSERT_TRUE(plain.ok()) << plain.status();
  options.discount = 0.9;
  absl::StatusOr<EvaluationReport> discounted =
      Evaluate("hopper-random-v2", Constant(3, 0.5f), options);
  ASSERT_TRUE(discounted.ok()) << discounted.status();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(plain->discounted_returns[i], plain->returns[i]);
    // hopper's rewards per step are about 1 while it stands: sum 0.9^t r_t is below the return
    // and at most 1 / (1 - 0.9) times the largest reward.
    EXPECT_LT(discounted->discounted_returns[i], discounted->returns[i]);
    EXPECT_GT(discounted->discounted_returns[i], 0.0);
    EXPECT_TRUE(torch::equal(discounted->first_observations[i],
                             discounted->trajectories[i][0].to(torch::kFloat32)));
  }
  EXPECT_TRUE(torch::equal(discounted->first_actions, torch::full({3, 3}, 0.5f)));
}

TEST(EvaluatorTest, StartValuesAreComparedWithTheDiscountedReturnPerEpisode) {
  EvaluationOptions options;
  options.episodes = 3;
  options.discount = 0.9;
  absl::StatusOr<EvaluationReport> report =
      Evaluate("hopper-random-v2", Constant(3, 0.5f), options);
  ASSERT_TRUE(report.ok()) << report.status();
  // A critic that overestimates every episode's start by 2 plus the episode's index, and reads
  // the report's own first steps.
  const ValueFunction overestimating = [&](const torch::Tensor& obs, const torch::Tensor& act) {
    EXPECT_TRUE(torch::equal(obs, report->first_observations));
    EXPECT_TRUE(torch::equal(act, report->first_actions));
    std::vector<double> q;
    for (int i = 0; i < 3; ++i) q.push_back(report->discounted_returns[i] + 2 + i);
    return std::optional<torch::Tensor>(torch::tensor(q, torch::kFloat64).to(torch::kFloat32));
  };
  const std::optional<StartValueCalibration> calibration =
      CalibrateStartValues(*report, overestimating);
  ASSERT_TRUE(calibration.has_value());
  ASSERT_EQ(calibration->q_start.size(), 3u);
  EXPECT_NEAR(calibration->gap.mean, 3.0, 1e-4);                  // 2, 3, 4
  EXPECT_NEAR(calibration->gap.std, std::sqrt(2.0 / 3.0), 1e-4);  // population std
  EXPECT_NEAR(calibration->q.mean, calibration->discounted_return.mean + 3, 1e-4);

  const ValueFunction no_critic = [](const torch::Tensor&, const torch::Tensor&) {
    return std::optional<torch::Tensor>();
  };
  EXPECT_FALSE(CalibrateStartValues(*report, no_critic).has_value());
}

TEST(EvaluatorTest, SameSeedSameResultWhateverTheThreadCount) {
  torch::manual_seed(0);
  const torch::Tensor w = torch::randn({17, 6}) * 0.3;
  const BatchPolicy linear = [&w](const torch::Tensor& obs) { return torch::tanh(obs.mm(w)); };
  EvaluationOptions options;
  options.episodes = 3;
  options.seed = 9;
  absl::StatusOr<EvaluationReport> one = Evaluate("walker2d-random-v2", linear, options);
  options.threads = 2;
  absl::StatusOr<EvaluationReport> two = Evaluate("walker2d-random-v2", linear, options);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(one->returns, two->returns);
  options.seed = 10;
  absl::StatusOr<EvaluationReport> other = Evaluate("walker2d-random-v2", linear, options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(one->returns, other->returns);
}

TEST(EvaluatorTest, ReportsMeanAndPopulationStd) {
  EvaluationReport report;
  report.returns = {1, 3};
  report.scores = {10, 30};
  EXPECT_DOUBLE_EQ(report.ReturnMean(), 2);
  EXPECT_DOUBLE_EQ(report.ReturnStd(), 1);
  EXPECT_DOUBLE_EQ(report.ScoreMean(), 20);
  EXPECT_DOUBLE_EQ(report.ScoreStd(), 10);
}

TEST(EvaluatorTest, BadInputsAreErrorsNotCrashes) {
  EvaluationOptions options;
  EXPECT_EQ(Evaluate("no-such-task-v0", Constant(2, 0), options).status().code(),
            absl::StatusCode::kNotFound);
  options.episodes = 0;
  EXPECT_EQ(Evaluate("maze2d-umaze-v1", Constant(2, 0), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.episodes = 2;
  const absl::Status wrong_shape = Evaluate("maze2d-umaze-v1", Constant(3, 0), options).status();
  EXPECT_EQ(wrong_shape.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_shape.message().find("[2, 2]"), absl::string_view::npos) << wrong_shape;
  const absl::Status nan = Evaluate("maze2d-umaze-v1", Constant(2, NAN), options).status();
  EXPECT_FALSE(nan.ok());
  EXPECT_NE(nan.message().find("maze2d-umaze-v1 episode"), absl::string_view::npos) << nan;
}

}  // namespace
}  // namespace romi::eval
