// Known-answer tests on a linear system s' = A s + B a, r = c.s + d a, whose inverse is known:
// s = A^-1 (s' - B a). Small networks and a fixed seed keep the test fast and deterministic.
#include "romi/dynamics_ensemble.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

const torch::Tensor& A() {
  static const torch::Tensor a = torch::tensor({{0.9f, 0.2f}, {-0.1f, 0.8f}});
  return a;
}
const torch::Tensor& B() {
  static const torch::Tensor b = torch::tensor({{0.5f, -0.3f}});
  return b;
}

// Transitions from states in [-scale, scale]^2 and actions in [-1, 1].
data::Transitions LinearSystem(int64_t rows, double scale, uint64_t seed) {
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  data::Transitions t;
  t.observations = (torch::rand({rows, 2}, generator) * 2 - 1) * scale;
  t.actions = torch::rand({rows, 1}, generator) * 2 - 1;
  t.next_observations = t.observations.matmul(A().t()) + t.actions.matmul(B());
  t.rewards = t.observations.matmul(torch::tensor({1.0f, -0.5f})) + 0.2 * t.actions.squeeze(1);
  t.terminals = torch::zeros({rows});
  return t;
}

DynamicsConfig SmallConfig(Direction direction) {
  DynamicsConfig config;
  config.set_direction(direction);
  config.set_members(4);
  config.set_elites(2);
  config.set_hidden_layers(2);
  config.set_hidden_width(64);
  config.set_batch_size(64);
  config.set_max_epochs(150);
  return config;
}

// Trained once and shared: training is the expensive part.
const DynamicsEnsemble& ReverseModel() {
  static const DynamicsEnsemble* model = [] {
    absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> trained =
        DynamicsEnsemble::Train(LinearSystem(3000, 1.0, 0), SmallConfig(REVERSE), 11);
    EXPECT_TRUE(trained.ok()) << trained.status();
    return trained->release();
  }();
  return *model;
}

TEST(DynamicsEnsembleTest, ReverseModelRecoversTheInverseMap) {
  const DynamicsEnsemble& model = ReverseModel();
  const data::Transitions test = LinearSystem(500, 1.0, 99);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const DynamicsEnsemble::Prediction predicted =
      model.Sample(test.next_observations, test.actions, generator, /*deterministic=*/true);
  // The previous state and the reward, from (s', a). Targets have magnitude ~0.5-1.
  const double state_error = (predicted.states - test.observations).abs().mean().item<double>();
  const double reward_error = (predicted.rewards - test.rewards).abs().mean().item<double>();
  std::printf("reverse model: state MAE %.4f, reward MAE %.4f, epochs %d\n", state_error,
              reward_error, model.training_summary().epochs);
  EXPECT_LT(state_error, 0.01);
  EXPECT_LT(reward_error, 0.01);
  // Sampling adds the learned (small, the data are noise-free) variance only.
  const DynamicsEnsemble::Prediction sampled =
      model.Sample(test.next_observations, test.actions, generator);
  EXPECT_LT((sampled.states - test.observations).abs().mean().item<double>(), 0.06);
}

TEST(DynamicsEnsembleTest, UncertaintyShrinksWhereDataIsDense) {
  const DynamicsEnsemble& model = ReverseModel();
  const data::Transitions near = LinearSystem(500, 1.0, 5);  // where the data was
  const data::Transitions far = LinearSystem(500, 6.0, 5);   // far outside it
  // Spread of the prediction over elites and samples.
  const auto spread = [&](const data::Transitions& t) {
    torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(2);
    std::vector<torch::Tensor> draws;
    for (int i = 0; i < 20; ++i) {
      draws.push_back(model.Sample(t.next_observations, t.actions, generator).states);
    }
    return torch::stack(draws).var(0).mean().item<double>();
  };
  std::printf("prediction spread: near %.3g, far %.3g\n", spread(near), spread(far));
  EXPECT_LT(10 * spread(near), spread(far));
}

TEST(DynamicsEnsembleTest, ElitesAreTheLowestHoldoutMembers) {
  const DynamicsEnsemble& model = ReverseModel();
  const std::vector<double>& mse = model.holdout_mse();
  ASSERT_EQ(mse.size(), 4u);
  std::vector<int64_t> ranking(4);
  std::iota(ranking.begin(), ranking.end(), 0);
  std::sort(ranking.begin(), ranking.end(), [&](int64_t a, int64_t b) { return mse[a] < mse[b]; });
  EXPECT_EQ(model.elites(), std::vector<int64_t>(ranking.begin(), ranking.begin() + 2));
  // The hold-out MSEs themselves, recomputed from the final weights on the hold-out rows (the
  // first 600 of the training seed's permutation, as the trainer draws them) rather than read from
  // the model's own bookkeeping: an MSE taken on the wrong rows or before the best snapshots were
  // restored would rank the members by something else.
  torch::Generator split = at::make_generator<at::CPUGeneratorImpl>(11);
  const torch::Tensor order = torch::randperm(3000, split, torch::kInt64);
  const torch::Tensor recomputed =
      model.EvaluateMse(LinearSystem(3000, 1.0, 0).Select(order.slice(0, 0, 600)));
  ASSERT_EQ(recomputed.numel(), 4);
  for (int64_t member = 0; member < 4; ++member) {
    EXPECT_NEAR(recomputed[member].item<double>(), mse[member], 1e-5 * mse[member] + 1e-9)
        << member;
  }
  // Early stopping ran and ended on the patience rule or the epoch cap.
  EXPECT_GT(model.training_summary().epochs, 6);
  EXPECT_EQ(model.training_summary().holdout_rows, 600);
}

TEST(DynamicsEnsembleTest, SaveLoadKeepsElitesAndPredictions) {
  const DynamicsEnsemble& model = ReverseModel();
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/reverse.pt";
  ASSERT_TRUE(model.Save(path).ok());
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> loaded = DynamicsEnsemble::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->elites(), model.elites());
  EXPECT_EQ((*loaded)->holdout_mse(), model.holdout_mse());
  EXPECT_EQ((*loaded)->direction(), REVERSE);
  const data::Transitions test = LinearSystem(50, 1.0, 7);
  torch::Generator g1 = at::make_generator<at::CPUGeneratorImpl>(3);
  torch::Generator g2 = at::make_generator<at::CPUGeneratorImpl>(3);
  EXPECT_TRUE(torch::equal(model.Sample(test.next_observations, test.actions, g1).states,
                           (*loaded)->Sample(test.next_observations, test.actions, g2).states));
  EXPECT_TRUE(torch::equal(model.EvaluateMse(test), (*loaded)->EvaluateMse(test)));
}

TEST(DynamicsEnsembleTest, LoadRejectsMissingAndForeignFiles) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  EXPECT_EQ(DynamicsEnsemble::Load(dir + "/absent.pt").status().code(),
            absl::StatusCode::kDataLoss);
  torch::serialize::OutputArchive archive;
  archive.write("something", torch::zeros({1}));
  archive.save_to(dir + "/foreign.pt");
  EXPECT_EQ(DynamicsEnsemble::Load(dir + "/foreign.pt").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(DynamicsEnsembleTest, ForwardModelPredictsTheNextState) {
  DynamicsConfig config = SmallConfig(FORWARD);
  config.set_max_epochs(60);
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> model =
      DynamicsEnsemble::Train(LinearSystem(2000, 1.0, 4), config, 12);
  ASSERT_TRUE(model.ok()) << model.status();
  const data::Transitions test = LinearSystem(300, 1.0, 8);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(4);
  const DynamicsEnsemble::Prediction predicted =
      (*model)->Sample(test.observations, test.actions, generator, /*deterministic=*/true);
  EXPECT_LT((predicted.states - test.next_observations).abs().mean().item<double>(), 0.05);
}

TEST(DynamicsEnsembleTest, InterruptedTrainingResumesFromItsCheckpointBitIdentically) {
  torch::set_num_threads(1);  // bit-identical results need a fixed thread count
  DynamicsConfig config = SmallConfig(REVERSE);
  config.set_hidden_width(16);
  config.set_max_epochs(40);
  config.set_patience(3);
  const data::Transitions data = LinearSystem(600, 1.0, 3);
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> reference =
      DynamicsEnsemble::Train(data, config, 21);
  ASSERT_TRUE(reference.ok()) << reference.status();
  const DynamicsTrainingSummary& expected = (*reference)->training_summary();
  ASSERT_GT(expected.epochs, 6);  // long enough to be interrupted twice

  const std::string checkpoint = std::string(std::getenv("TEST_TMPDIR")) + "/training.pt";
  std::remove(checkpoint.c_str());
  std::vector<int> epochs_seen;
  for (const int stop_at : {2, 5}) {
    DynamicsTrainingOptions options;
    options.checkpoint_path = checkpoint;
    options.progress = [&](const DynamicsEpoch& epoch) {
      epochs_seen.push_back(epoch.epoch);
      return epoch.epoch == stop_at ? absl::CancelledError("end of the working period")
                                    : absl::OkStatus();
    };
    EXPECT_EQ(DynamicsEnsemble::Train(data, config, 21, options).status().code(),
              absl::StatusCode::kCancelled);
  }
  DynamicsTrainingOptions options;
  options.checkpoint_path = checkpoint;
  options.progress = [&](const DynamicsEpoch& epoch) {
    epochs_seen.push_back(epoch.epoch);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> resumed =
      DynamicsEnsemble::Train(data, config, 21, options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();

  std::vector<int> every_epoch(expected.epochs);
  std::iota(every_epoch.begin(), every_epoch.end(), 1);
  EXPECT_EQ(epochs_seen, every_epoch);  // each epoch ran once
  EXPECT_EQ((*resumed)->training_summary().epochs, expected.epochs);
  EXPECT_EQ((*resumed)->training_summary().steps, expected.steps);
  EXPECT_EQ((*resumed)->elites(), (*reference)->elites());
  EXPECT_EQ((*resumed)->holdout_mse(), (*reference)->holdout_mse());
  const data::Transitions test = LinearSystem(50, 1.0, 9);
  EXPECT_TRUE(torch::equal((*resumed)->EvaluateMse(test), (*reference)->EvaluateMse(test)));

  // A finished training's checkpoint resumes straight to the same model.
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> again =
      DynamicsEnsemble::Train(data, config, 21, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(torch::equal((*again)->EvaluateMse(test), (*reference)->EvaluateMse(test)));

  // Another seed's training refuses the checkpoint; a damaged file is a DataLoss naming it.
  const absl::Status other = DynamicsEnsemble::Train(data, config, 22, options).status();
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition) << other;
  EXPECT_NE(other.message().find(checkpoint), absl::string_view::npos) << other;
  std::FILE* file = std::fopen(checkpoint.c_str(), "w");
  std::fputs("not an archive", file);
  std::fclose(file);
  const absl::Status damaged = DynamicsEnsemble::Train(data, config, 21, options).status();
  EXPECT_EQ(damaged.code(), absl::StatusCode::kDataLoss) << damaged;
  EXPECT_NE(damaged.message().find(checkpoint), absl::string_view::npos) << damaged;
}

TEST(DynamicsEnsembleTest, RejectsBadConfigurations) {
  DynamicsConfig config = SmallConfig(REVERSE);
  config.set_elites(5);  // more elites than members
  EXPECT_EQ(DynamicsEnsemble::Train(LinearSystem(100, 1.0, 0), config, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  config = SmallConfig(REVERSE);
  config.add_weight_decay(1e-4);  // 1 value for 3 layers
  EXPECT_EQ(DynamicsEnsemble::Train(LinearSystem(100, 1.0, 0), config, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Either would end training before its first epoch, returning random networks as the model.
  config = SmallConfig(REVERSE);
  config.set_patience(0);
  EXPECT_EQ(DynamicsEnsemble::Train(LinearSystem(100, 1.0, 0), config, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  config = SmallConfig(REVERSE);
  config.set_max_epochs(-1);
  EXPECT_EQ(DynamicsEnsemble::Train(LinearSystem(100, 1.0, 0), config, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The authors train the model on non-terminal rows only (outside antmaze): rows ending in a
// terminal s' must not change the model at all, however wild they are, unless asked for.
TEST(DynamicsEnsembleTest, TerminalRowsAreSkippedUnlessAsked) {
  const data::Transitions clean = LinearSystem(400, 1.0, 0);
  data::Transitions wild = LinearSystem(100, 50.0, 1);
  wild.terminals = torch::ones({100});
  const data::Transitions mixed{torch::cat({clean.observations, wild.observations}),
                                torch::cat({clean.actions, wild.actions}),
                                torch::cat({clean.rewards, wild.rewards}),
                                torch::cat({clean.next_observations, wild.next_observations}),
                                torch::cat({clean.terminals, wild.terminals})};
  DynamicsConfig config = SmallConfig(REVERSE);
  config.set_max_epochs(3);
  const data::Transitions probe = LinearSystem(50, 1.0, 7);
  auto trained_mse = [&](const data::Transitions& data, bool skip_terminals) {
    config.set_skip_terminals(skip_terminals);
    absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> model =
        DynamicsEnsemble::Train(data, config, 5);
    EXPECT_TRUE(model.ok()) << model.status();
    return model.ok() ? (*model)->EvaluateMse(probe) : torch::Tensor();
  };
  const torch::Tensor reference = trained_mse(clean, true);
  EXPECT_TRUE(torch::equal(trained_mse(mixed, true), reference));
  EXPECT_FALSE(torch::equal(trained_mse(mixed, false), reference));
}

TEST(DynamicsTargetsTest, DirectionsSwapKnownAndPredictedStates) {
  data::Transitions t = LinearSystem(3, 1.0, 0);
  const torch::Tensor reverse = DynamicsTargets(t, REVERSE);
  EXPECT_TRUE(torch::equal(reverse.slice(1, 1), t.observations - t.next_observations));
  EXPECT_TRUE(torch::equal(reverse.select(1, 0), t.rewards));
  EXPECT_TRUE(
      torch::equal(DynamicsTargets(t, FORWARD).slice(1, 1), t.next_observations - t.observations));
  EXPECT_TRUE(torch::equal(DynamicsInputs(t, REVERSE).slice(1, 0, 2), t.next_observations));
  EXPECT_EQ(DefaultWeightDecay(4), (std::vector<double>{2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4}));
}

}  // namespace
}  // namespace romi
