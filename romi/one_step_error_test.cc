#include "romi/one_step_error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <set>

#include "gtest/gtest.h"

namespace romi {
namespace {

// s' = A s + B a, r = c·s + 0.2 a: noise-free, invertible, so both directions are learnable.
// Row i's first observation coordinate is i / rows, which identifies it after a split.
data::Transitions LinearSystem(int64_t rows, uint64_t seed) {
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  data::Transitions t;
  t.observations = torch::rand({rows, 2}, generator) * 2 - 1;
  t.observations.select(1, 0).copy_(torch::arange(rows, torch::kFloat32) / rows);
  t.actions = torch::rand({rows, 1}, generator) * 2 - 1;
  const torch::Tensor a = torch::tensor({{0.9f, 0.2f}, {-0.1f, 0.8f}});
  t.next_observations =
      t.observations.matmul(a.t()) + t.actions.matmul(torch::tensor({{0.3f, -0.2f}}));
  t.rewards = t.observations.matmul(torch::tensor({1.0f, -0.5f})) + 0.2 * t.actions.squeeze(1);
  t.terminals = torch::zeros({rows});
  return t;
}

std::set<int64_t> RowIds(const data::Transitions& t) {
  std::set<int64_t> ids;
  const torch::Tensor first = (t.observations.select(1, 0) * 1000).round().to(torch::kInt64);
  for (int64_t i = 0; i < first.size(0); ++i) ids.insert(first[i].item<int64_t>());
  return ids;
}

TEST(SplitTransitionsTest, HoldsOutTheFractionDisjointlyAndDependsOnlyOnTheSeed) {
  const data::Transitions data = LinearSystem(1000, 0);
  const TrainTestSplit split = *SplitTransitions(data, 0.1, 3);
  EXPECT_EQ(split.test.size(), 100);
  EXPECT_EQ(split.train.size(), 900);
  std::set<int64_t> all = RowIds(split.train);
  const std::set<int64_t> test = RowIds(split.test);
  all.insert(test.begin(), test.end());
  EXPECT_EQ(all.size(), 1000u);  // every row once: disjoint and covering
  EXPECT_EQ(RowIds(SplitTransitions(data, 0.1, 3)->test), test);
  EXPECT_NE(RowIds(SplitTransitions(data, 0.1, 4)->test), test);
  EXPECT_EQ(SplitTransitions(data, 0.0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitTransitions(data, 1.0, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitTransitions(LinearSystem(1, 0), 0.5, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Both directions learn the noise-free system: their error on rows they never saw is a small
// fraction of the error of predicting no change and zero reward.
TEST(MeasureOneStepErrorTest, BothDirectionsPredictUnseenRows) {
  const TrainTestSplit split = *SplitTransitions(LinearSystem(3000, 1), 0.1, 0);
  for (const Direction direction : {FORWARD, REVERSE}) {
    DynamicsConfig config;
    config.set_direction(direction);
    config.set_members(3);
    config.set_elites(2);
    config.set_hidden_layers(2);
    config.set_hidden_width(64);
    config.set_batch_size(64);
    config.set_max_epochs(40);
    const absl::StatusOr<OneStepError> error = MeasureOneStepError(split, config, 7);
    ASSERT_TRUE(error.ok()) << error.status();
    const torch::Tensor delta = split.test.next_observations - split.test.observations;
    const double baseline = (delta.pow(2).sum() + split.test.rewards.pow(2).sum()).item<double>() /
                            (split.test.size() * 3.0);
    EXPECT_LT(error->test_mse, 0.02 * baseline) << direction;
    EXPECT_GT(error->test_mse, 0) << direction;
    EXPECT_LT(error->holdout_mse, 0.02 * baseline) << direction;
    EXPECT_GT(error->training.epochs, 0) << direction;
  }
}

}  // namespace
}  // namespace romi
