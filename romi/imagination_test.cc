#include "romi/imagination.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "data/index_distribution.h"
#include "gtest/gtest.h"
#include "romi/dynamics_ensemble.h"
#include "romi/rollout_policy_registry.h"

namespace romi {
namespace {

torch::Generator Seeded(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// A small linear system and a quickly trained model of it (accuracy does not matter here).
data::Transitions Data() {
  torch::Generator generator = Seeded(0);
  data::Transitions t;
  t.observations = torch::rand({400, 2}, generator) * 2 - 1;
  t.actions = torch::rand({400, 1}, generator) * 2 - 1;
  t.next_observations = 0.9 * t.observations + 0.1 * t.actions;
  t.rewards = t.observations.sum(1);
  t.terminals = torch::zeros({400});
  return t;
}

std::unique_ptr<DynamicsEnsemble> Model(Direction direction) {
  DynamicsConfig config;
  config.set_direction(direction);
  config.set_members(3);
  config.set_elites(2);
  config.set_hidden_layers(1);
  config.set_hidden_width(16);
  config.set_max_epochs(3);
  return *DynamicsEnsemble::Train(Data(), config, 0);
}

std::unique_ptr<RolloutPolicy> Uniform() {
  RolloutPolicyOptions options;
  options.obs_dim = 2;
  options.act_dim = 1;
  options.config.set_name("uniform");
  return *CreateRolloutPolicy(options);
}

// Done when the later state's first coordinate exceeds 0.5.
bool LaterStateHighRule(const float*, const float*, const float* next_obs) {
  return next_obs[0] > 0.5f;
}
envs::TerminationFn LaterStateHigh() {
  envs::TerminationFn fn = envs::NeverTerminates(2, 1);
  fn.name = "later-state-high";
  fn.rule_f32 = LaterStateHighRule;
  return fn;
}
envs::TerminationFn Never() { return envs::NeverTerminates(2, 1); }

ImaginationConfig Config(int64_t starts, int64_t buffer) {
  ImaginationConfig config;
  config.set_rollout_length(3);
  config.set_starts_per_round(starts);
  config.set_buffer_size(buffer);
  return config;
}

// Whether every row of `rows` equals some row of `table`. cdist's default matmul shortcut loses
// ~1e-4 to cancellation on large inputs; the direct difference is exact for equal rows.
bool AllRowsIn(const torch::Tensor& rows, const torch::Tensor& table) {
  constexpr int64_t kDoNotUseMatmul = 2;
  return (torch::cdist(rows, table, 2.0, kDoNotUseMatmul).amin(1) < 1e-5).all().item<bool>();
}

TEST(ImaginationTest, ReverseRolloutsStartInDataAndChainBackwardsInForwardOrder) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  const data::Transitions data = Data();
  torch::Generator generator = Seeded(1);
  ImaginationSummary summary;
  // One round of 50 rollouts x 3 steps, no termination: blocks of 50 rows per step.
  absl::StatusOr<data::Transitions> buffer =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
              Config(50, 150), generator, &summary);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  EXPECT_EQ(summary.rows, 150);
  EXPECT_EQ(summary.rounds, 1);
  const data::Transitions step0 = buffer->Slice(0, 50);
  const data::Transitions step1 = buffer->Slice(50, 50);
  const data::Transitions step2 = buffer->Slice(100, 50);
  // The first imagined transition of every rollout leads into a real dataset state.
  EXPECT_TRUE(AllRowsIn(step0.next_observations, data.next_observations));
  EXPECT_FALSE(AllRowsIn(step0.observations, data.observations));  // the earlier state is imagined
  // Forward order: each step's later state is the previous step's predicted earlier state.
  EXPECT_TRUE(torch::equal(step1.next_observations, step0.observations));
  EXPECT_TRUE(torch::equal(step2.next_observations, step1.observations));
  EXPECT_EQ(buffer->terminals.sum().item<float>(), 0.0f);
}

// Rows whose s' is terminal (a fallen hopper) are no starts of reverse rollouts: the authors
// start from a row's s, which is never such a state. antmaze keeps them.
TEST(ImaginationTest, ReverseRolloutsNeverStartFromATerminalState) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  data::Transitions data = Data();
  data.terminals = (data.next_observations.select(1, 0) > 0).to(torch::kFloat32);
  const torch::Tensor terminal = data.terminals == 1;
  ASSERT_GT(terminal.sum().item<int64_t>(), 100);
  torch::Generator generator = Seeded(1);
  absl::StatusOr<data::Transitions> buffer =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
              Config(300, 900), generator);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  const data::Transitions step0 = buffer->Slice(0, 300);
  EXPECT_TRUE(
      AllRowsIn(step0.next_observations, data.next_observations.index({terminal.logical_not()})));
  // antmaze's setting: terminal rows (an ant at its goal) stay starts.
  ImaginationConfig keep = Config(300, 900);
  keep.set_skip_terminal_starts(false);
  generator = Seeded(1);
  buffer = Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
                   keep, generator);
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  EXPECT_FALSE(AllRowsIn(buffer->Slice(0, 300).next_observations,
                         data.next_observations.index({terminal.logical_not()})));
}

TEST(ImaginationTest, NonFiniteTransitionsAreAnErrorNotABuffer) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  data::Transitions data = Data();
  data.next_observations[3][0] = std::numeric_limits<float>::quiet_NaN();
  torch::Generator generator = Seeded(1);
  const absl::Status status =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
              Config(400, 2000), generator)
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_NE(status.message().find("inf or NaN"), absl::string_view::npos) << status;
}

TEST(ReverseStartDistributionTest, DropsTerminalRowsAndKeepsTheOthersWeights) {
  const data::IndexDistribution weighted =
      *data::IndexDistribution::Weighted(torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64));
  const torch::Tensor terminals = torch::tensor({0.f, 1.f, 0.f, 0.f});
  absl::StatusOr<data::IndexDistribution> starts = ReverseStartDistribution(weighted, terminals);
  ASSERT_TRUE(starts.ok()) << starts.status();
  EXPECT_TRUE(torch::allclose(starts->Probabilities(),
                              torch::tensor({1.0, 0.0, 3.0, 4.0}, torch::kFloat64) / 8.0));
  // Without terminal rows: the distribution itself, uniform included (same draws as before).
  EXPECT_TRUE(
      ReverseStartDistribution(data::IndexDistribution::Uniform(4), torch::zeros({4}))->uniform());
  EXPECT_EQ(ReverseStartDistribution(weighted, torch::ones({4})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImaginationTest, DoneRowsStopTheirRollout) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  const data::Transitions data = Data();
  torch::Generator generator = Seeded(2);
  ImaginationSummary summary;
  absl::StatusOr<data::Transitions> buffer =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()),
              LaterStateHigh(), Config(200, 100000), generator, &summary);
  ASSERT_TRUE(buffer.ok());
  // First round: step 0 has 200 rows, evaluated on the known (real) later state.
  const data::Transitions step0 = buffer->Slice(0, 200);
  EXPECT_TRUE(
      torch::equal(step0.terminals.to(torch::kBool), step0.next_observations.select(1, 0) > 0.5));
  const int64_t continuing = (step0.terminals == 0).sum().item<int64_t>();
  ASSERT_GT(continuing, 0);
  ASSERT_LT(continuing, 200);
  const data::Transitions step1 = buffer->Slice(200, continuing);
  EXPECT_TRUE(
      torch::equal(step1.next_observations, step0.observations.index({step0.terminals == 0})));
  EXPECT_GT(summary.terminated, 0);
  EXPECT_EQ(summary.rows, 100000);  // rounds continue until the buffer is exactly full
}

TEST(ImaginationTest, FirstRoundRolloutsFollowEachRolloutThroughItsRows) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  const data::Transitions data = Data();
  torch::Generator generator = Seeded(4);
  const ImaginationConfig config = Config(200, 1000);
  absl::StatusOr<data::Transitions> buffer =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()),
              LaterStateHigh(), config, generator);
  ASSERT_TRUE(buffer.ok());
  const std::vector<std::vector<int64_t>> rollouts = FirstRoundRollouts(*buffer, config, 200);
  ASSERT_EQ(rollouts.size(), 200u);
  int ended_early = 0;
  int64_t rows = 0;
  for (const std::vector<int64_t>& rollout : rollouts) {
    ASSERT_FALSE(rollout.empty());
    rows += static_cast<int64_t>(rollout.size());
    // Backwards in time: each row's later state is the previous row's earlier state.
    for (size_t k = 1; k < rollout.size(); ++k) {
      EXPECT_TRUE(torch::equal(buffer->next_observations[rollout[k]],
                               buffer->observations[rollout[k - 1]]));
      EXPECT_EQ(buffer->terminals[rollout[k - 1]].item<float>(), 0.0f);
    }
    // A rollout stops at its done row or after the rollout length.
    if (rollout.size() < 3) {
      ++ended_early;
      EXPECT_EQ(buffer->terminals[rollout.back()].item<float>(), 1.0f);
    }
  }
  EXPECT_GT(ended_early, 0);
  // The first round's rows are all accounted for, each once.
  std::vector<int64_t> all;
  for (const auto& rollout : rollouts) all.insert(all.end(), rollout.begin(), rollout.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < rows; ++i) EXPECT_EQ(all[i], i);
  EXPECT_EQ(FirstRoundRollouts(*buffer, config, 5).size(), 5u);
  EXPECT_EQ(FirstRoundRollouts(*buffer, config, 0).size(), 0u);
}

TEST(ImaginationTest, ForwardRolloutsStartFromDatasetStates) {
  const auto model = Model(FORWARD);
  auto policy = Uniform();
  const data::Transitions data = Data();
  torch::Generator generator = Seeded(3);
  absl::StatusOr<data::Transitions> buffer =
      Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
              Config(40, 120), generator);
  ASSERT_TRUE(buffer.ok());
  const data::Transitions step0 = buffer->Slice(0, 40);
  const data::Transitions step1 = buffer->Slice(40, 40);
  EXPECT_TRUE(AllRowsIn(step0.observations, data.observations));
  EXPECT_TRUE(torch::equal(step1.observations, step0.next_observations));
}

TEST(ImaginationTest, RejectsBadConfigurations) {
  const auto model = Model(REVERSE);
  auto policy = Uniform();
  const data::Transitions data = Data();
  torch::Generator generator = Seeded(4);
  EXPECT_EQ(Imagine(*model, *policy, data, data::IndexDistribution::Uniform(data.size()), Never(),
                    Config(10, 0), generator)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Imagine(*model, *policy, data, data::IndexDistribution::Uniform(5), Never(),
                    Config(10, 10), generator)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi
