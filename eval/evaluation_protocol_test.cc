#include "eval/evaluation_protocol.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

Budget TenAndThirty() {
  Budget budget;
  budget.set_eval_episodes(10);
  budget.set_final_eval_episodes(30);
  return budget;
}

// The start state of each episode of an evaluation of `policy`.
std::vector<torch::Tensor> Starts(const EvaluationOptions& base, const BatchPolicy& policy) {
  EvaluationOptions options = base;
  options.record_states = true;
  absl::StatusOr<EvaluationReport> report = Evaluate("maze2d-umaze-v1", policy, options);
  EXPECT_TRUE(report.ok()) << report.status();
  std::vector<torch::Tensor> starts;
  for (const torch::Tensor& trajectory : report->trajectories) starts.push_back(trajectory[0]);
  return starts;
}

BatchPolicy Constant(float value) {
  return [value](const torch::Tensor& obs) { return torch::full({obs.size(0), 2}, value); };
}

TEST(EvaluationProtocolTest, EveryEvaluationOfASeedStartsFromTheSameStatesWhateverThePolicy) {
  // Two "methods" (different policies) evaluated at two "checkpoints" of seed 3: the checkpoint
  // options do not depend on the step, so they are the same object; what must hold is that the
  // starts depend on the seed alone, not on the policy or on earlier evaluations.
  const EvaluationOptions checkpoint = CheckpointEvaluation(TenAndThirty(), 3, 1);
  EXPECT_EQ(checkpoint.episodes, 10);
  EXPECT_EQ(checkpoint.seed, 103u);  // seed + 100, as the authors' evaluation env
  const std::vector<torch::Tensor> first = Starts(checkpoint, Constant(0.0f));
  const std::vector<torch::Tensor> other_method = Starts(checkpoint, Constant(1.0f));
  const std::vector<torch::Tensor> later = Starts(checkpoint, Constant(-0.5f));
  ASSERT_EQ(first.size(), 10u);
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(torch::equal(first[i], other_method[i])) << "episode " << i;
    EXPECT_TRUE(torch::equal(first[i], later[i])) << "episode " << i;
  }
  // The starts are not all one state, and another seed draws others.
  bool varied = false;
  for (size_t i = 1; i < first.size(); ++i) varied |= !torch::equal(first[0], first[i]);
  EXPECT_TRUE(varied);
  const std::vector<torch::Tensor> seed4 =
      Starts(CheckpointEvaluation(TenAndThirty(), 4, 1), Constant(0.0f));
  EXPECT_FALSE(torch::equal(first[0], seed4[0]));
}

TEST(EvaluationProtocolTest, TheFinalEvaluationRunsMoreEpisodesFromTheCheckpointsStarts) {
  const EvaluationOptions final_options = FinalEvaluation(TenAndThirty(), 3, 2);
  EXPECT_EQ(final_options.episodes, 30);
  EXPECT_TRUE(final_options.record_states);
  EXPECT_EQ(final_options.threads, 2);
  const std::vector<torch::Tensor> checkpoint =
      Starts(CheckpointEvaluation(TenAndThirty(), 3, 1), Constant(0.0f));
  const std::vector<torch::Tensor> final_starts = Starts(final_options, Constant(0.0f));
  ASSERT_EQ(final_starts.size(), 30u);
  for (size_t i = 0; i < checkpoint.size(); ++i) {
    EXPECT_TRUE(torch::equal(checkpoint[i], final_starts[i])) << "episode " << i;
  }
  EXPECT_EQ(Budget().final_eval_episodes(), 100);  // the default
}

TEST(EvaluationProtocolTest, SummarizesTheLastTenEvaluationsAndTheBest) {
  RunResult run;
  // 15 checkpoints scoring 0, 10, ..., 140 except a peak of 500 at the 3rd.
  for (int i = 0; i < 15; ++i) {
    Evaluation* e = run.add_curve();
    e->set_step(1000 * (i + 1));
    e->set_score_mean(i == 2 ? 500 : 10 * i);
  }
  SummarizeCurve(&run);
  EXPECT_EQ(run.last_count(), 10);
  EXPECT_DOUBLE_EQ(run.last_mean(), (50 + 60 + 70 + 80 + 90 + 100 + 110 + 120 + 130 + 140) / 10.0);
  EXPECT_EQ(run.best().step(), 3000);
  EXPECT_DOUBLE_EQ(run.best().score_mean(), 500);

  RunResult short_run;
  short_run.add_curve()->set_score_mean(4);
  short_run.add_curve()->set_score_mean(8);
  SummarizeCurve(&short_run);
  EXPECT_EQ(short_run.last_count(), 2);
  EXPECT_DOUBLE_EQ(short_run.last_mean(), 6);

  RunResult empty;
  SummarizeCurve(&empty);
  EXPECT_FALSE(empty.has_last_mean());
  EXPECT_FALSE(empty.has_best());
}

}  // namespace
}  // namespace romi::eval
