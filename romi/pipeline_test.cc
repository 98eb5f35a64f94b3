#include "romi/pipeline.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/test_dirs.h"
#include "data/dataset.h"
#include "data/synthetic.h"
#include "envs/termination.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "romi/dynamics_ensemble.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

const data::Dataset& PointMass() {
  static const data::Dataset* dataset = new data::Dataset(*data::Dataset::FromD4rlFile(
      data::MakePointMassDataset(600, 50, 3), data::DatasetOptions(), "point mass"));
  return *dataset;
}

// Every stage, at toy sizes: a cvae rollout policy and BCQ, so that each stage has state to resume.
RunConfig TinyConfig() {
  RunConfig config;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        task: "point-mass"
        dynamics { members: 3 elites: 2 hidden_layers: 1 hidden_width: 16 max_epochs: 3 }
        rollout_policy {
          name: "cvae"
          hidden: [ 16, 16 ]
          train_steps: 20
          batch_size: 32
        }
        imagination { rollout_length: 3 starts_per_round: 50 buffer_size: 400 }
        learner {
          algorithm: "bcq"
          bcq {
            actor_hidden: [ 16 ]
            critic_hidden: [ 16 ]
            vae_hidden: [ 16 ]
            target_samples: 2
            act_candidates: 4
          }
        }
        model_fraction: 0.5
        batch_size: 16
        learner_steps: 30
        checkpoint_every: 10
        seed: 5
      )pb",
      &config);
  return config;
}

envs::TerminationFn Never() { return envs::NeverTerminates(4, 2); }

void ExpectSameParameters(learners::Learner& a, learners::Learner& b) {
  const std::vector<torch::Tensor> pa = a.parameters();
  const std::vector<torch::Tensor> pb = b.parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i)
    EXPECT_TRUE(torch::equal(pa[i], pb[i])) << "parameter " << i;
}

TEST(PipelineTest, WritesEveryArtifactAndTheResolvedConfig) {
  const std::string dir = FreshTestDir("all_artifacts", /*create=*/false);
  std::vector<int64_t> checkpoints;
  PipelineHooks hooks;
  hooks.on_checkpoint = [&](int64_t step, learners::Learner&) {
    checkpoints.push_back(step);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<learners::Learner>> learner =
      RunPipeline(PointMass(), Never(), 1.0, TinyConfig(), dir, hooks);
  ASSERT_TRUE(learner.ok()) << learner.status();
  EXPECT_EQ((*learner)->step(), 30);
  EXPECT_EQ(checkpoints, (std::vector<int64_t>{10, 20, 30}));
  for (const char* file :
       {"config.textproto", "dynamics.pt", "rollout_policy.pt", "model_buffer.pt", "learner.pt"}) {
    EXPECT_TRUE(fs::exists(fs::path(dir) / file)) << file;
  }
  // Defaults are written out, so the directory says everything the run used.
  std::ifstream in(fs::path(dir) / "config.textproto");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("patience: 6"), std::string::npos) << text;
  EXPECT_NE(text.find("use_model: true"), std::string::npos) << text;
  EXPECT_NE(text.find("actor_hidden: 16"), std::string::npos) << text;
}

TEST(PipelineTest, TheResolvedConfigRecordsTheDefaultNetworkWidths) {
  RunConfig config;
  config.mutable_learner()->set_algorithm("bcq");
  config.mutable_learner()->mutable_bcq()->add_actor_hidden(16);
  const RunConfig resolved = ResolveDefaults(config);
  EXPECT_EQ(resolved.learner().bcq().actor_hidden_size(), 1);  // given: kept
  ASSERT_EQ(resolved.learner().bcq().vae_hidden_size(), 2);    // empty: the defaults
  EXPECT_EQ(resolved.learner().bcq().vae_hidden(0), 750);
  EXPECT_EQ(resolved.learner().bcq().critic_hidden(1), 300);
  // The rollout policy's, from its registration: the cvae's by default, reverse-bc's when named.
  ASSERT_EQ(resolved.rollout_policy().hidden_size(), 2);
  EXPECT_EQ(resolved.rollout_policy().hidden(0), 750);
  config.mutable_rollout_policy()->set_name("reverse-bc");
  EXPECT_EQ(ResolveDefaults(config).rollout_policy().hidden(1), 256);
  config.mutable_rollout_policy()->set_name("uniform");
  EXPECT_EQ(ResolveDefaults(config).rollout_policy().hidden_size(), 0);
}

// A resolved config resolves to itself, whichever learner and rollout policy it names and whether
// or not their parameter messages were given: a finished run's config.textproto (resolved when it
// was written) must compare equal to the same run asked for again (CheckRunConfig).
TEST(PipelineTest, ResolvingIsIdempotentAndAFinishedRunsConfigMatchesItsRequest) {
  for (const std::string algorithm : {"bc", "bcq", "cql"}) {
    for (const std::string policy : {"cvae", "reverse-bc", "uniform"}) {
      RunConfig config;
      config.mutable_learner()->set_algorithm(algorithm);
      config.mutable_rollout_policy()->set_name(policy);
      const RunConfig once = ResolveDefaults(config);
      EXPECT_EQ(ResolveDefaults(once).DebugString(), once.DebugString())
          << algorithm << " " << policy;
      const std::string dir = FreshTestDir(absl::StrCat("resolved_", algorithm, "_", policy));
      ASSERT_TRUE(WriteStringAtomically(dir + "/config.textproto", once.DebugString()).ok());
      EXPECT_TRUE(CheckRunConfig(config, dir).ok()) << algorithm << " " << policy;
      config.set_seed(config.seed() + 1);
      EXPECT_EQ(CheckRunConfig(config, dir).code(), absl::StatusCode::kFailedPrecondition);
    }
  }
}

TEST(PipelineTest, ResumingAfterEveryStageGivesTheUninterruptedResult) {
  torch::set_num_threads(1);  // bit-identical results need a fixed thread count
  const RunConfig config = TinyConfig();
  absl::StatusOr<std::unique_ptr<learners::Learner>> reference = RunPipeline(
      PointMass(), Never(), 1.0, config, FreshTestDir("uninterrupted", /*create=*/false));
  ASSERT_TRUE(reference.ok()) << reference.status();

  const std::string dir = FreshTestDir("interrupted", /*create=*/false);
  std::vector<int64_t> checkpoints;
  for (const int epoch : {1, 2}) {  // inside the dynamics training, which checkpoints per epoch
    PipelineFaults faults;
    faults.stop_after_dynamics_epoch = epoch;
    EXPECT_EQ(RunPipeline(PointMass(), Never(), 1.0, config, dir, {}, faults).status().code(),
              absl::StatusCode::kCancelled)
        << epoch;
    EXPECT_TRUE(fs::exists(fs::path(dir) / "dynamics_training.pt"));
  }
  for (const std::string stage : {"dynamics", "rollout_policy", "imagination"}) {
    PipelineFaults faults;
    faults.stop_after_stage = stage;
    EXPECT_EQ(RunPipeline(PointMass(), Never(), 1.0, config, dir, {}, faults).status().code(),
              absl::StatusCode::kCancelled)
        << stage;
  }
  for (const int64_t step : {10, 20}) {
    PipelineHooks hooks;
    PipelineFaults faults;
    faults.stop_after_learner_step = step;
    hooks.on_checkpoint = [&](int64_t at, learners::Learner&) {
      checkpoints.push_back(at);
      return absl::OkStatus();
    };
    EXPECT_EQ(RunPipeline(PointMass(), Never(), 1.0, config, dir, hooks, faults).status().code(),
              absl::StatusCode::kCancelled);
  }
  PipelineHooks hooks;
  hooks.on_checkpoint = [&](int64_t at, learners::Learner&) {
    checkpoints.push_back(at);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<learners::Learner>> resumed =
      RunPipeline(PointMass(), Never(), 1.0, config, dir, hooks);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(checkpoints, (std::vector<int64_t>{10, 20, 30}));        // each checkpoint's hook once
  EXPECT_FALSE(fs::exists(fs::path(dir) / "dynamics_training.pt"));  // gone once the model is
  ExpectSameParameters(**reference, **resumed);
  const torch::Tensor obs = torch::rand({8, 4});
  EXPECT_TRUE(torch::equal((*reference)->Act(obs, true), (*resumed)->Act(obs, true)));
}

TEST(PipelineTest, ExtendingAFinishedRunGivesTheLongerRun) {
  torch::set_num_threads(1);
  const RunConfig config = TinyConfig();  // 30 steps
  absl::StatusOr<std::unique_ptr<learners::Learner>> reference =
      RunPipeline(PointMass(), Never(), 1.0, config, FreshTestDir("long_run", /*create=*/false));
  ASSERT_TRUE(reference.ok()) << reference.status();

  const std::string dir = FreshTestDir("extended_run", /*create=*/false);
  RunConfig shorter = config;
  shorter.set_learner_steps(10);
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, shorter, dir).ok());
  std::vector<int64_t> checkpoints;
  PipelineHooks hooks;
  hooks.on_checkpoint = [&](int64_t at, learners::Learner&) {
    checkpoints.push_back(at);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<learners::Learner>> extended =
      RunPipeline(PointMass(), Never(), 1.0, config, dir, hooks);
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(checkpoints, (std::vector<int64_t>{20, 30}));  // only the new checkpoints
  ExpectSameParameters(**reference, **extended);
  // The directory's config records the new horizon.
  std::ifstream in(fs::path(dir) / "config.textproto");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("learner_steps: 30"), std::string::npos) << text;

  // A run that ended between two checkpoint boundaries (15 steps, every 10) extends the same way.
  const std::string between = FreshTestDir("extended_between_boundaries", /*create=*/false);
  shorter.set_learner_steps(15);
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, shorter, between).ok());
  absl::StatusOr<std::unique_ptr<learners::Learner>> extended_between =
      RunPipeline(PointMass(), Never(), 1.0, config, between);
  ASSERT_TRUE(extended_between.ok()) << extended_between.status();
  ExpectSameParameters(**reference, **extended_between);
}

TEST(PipelineTest, AFailingCheckpointHookStopsTheRunBeforeThatCheckpoint) {
  RunConfig config = TinyConfig();
  config.set_use_model(false);
  const std::string dir = FreshTestDir("failing_hook", /*create=*/false);
  PipelineHooks failing;
  failing.on_checkpoint = [](int64_t step, learners::Learner&) {
    return step == 20 ? absl::UnavailableError("the evaluation failed") : absl::OkStatus();
  };
  const absl::Status status = RunPipeline(PointMass(), Never(), 1.0, config, dir, failing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_NE(status.message().find("the evaluation failed"), absl::string_view::npos) << status;
  // The checkpoint of step 20 was not written: a rerun repeats it and its hook.
  std::vector<int64_t> checkpoints;
  PipelineHooks hooks;
  hooks.on_checkpoint = [&](int64_t step, learners::Learner&) {
    checkpoints.push_back(step);
    return absl::OkStatus();
  };
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, config, dir, hooks).ok());
  EXPECT_EQ(checkpoints, (std::vector<int64_t>{20, 30}));
}

TEST(PipelineTest, ModelFreeRunsSkipTheModelStages) {
  RunConfig config = TinyConfig();
  config.set_use_model(false);
  const std::string dir = FreshTestDir("model_free", /*create=*/false);
  absl::StatusOr<std::unique_ptr<learners::Learner>> learner =
      RunPipeline(PointMass(), Never(), 1.0, config, dir);
  ASSERT_TRUE(learner.ok()) << learner.status();
  EXPECT_TRUE(fs::exists(fs::path(dir) / "learner.pt"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "dynamics.pt"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "model_buffer.pt"));
}

// The divergence guard: a learning rate of 1e30 sends BCQ's losses to inf/NaN at once (1e6 does
// not within 200 steps: Adam's steps are normalized and BCQ's actor is a bounded perturbation).
TEST(PipelineTest, ADivergingLearnerStopsTheRunNamingTheStepAndTheBadValue) {
  RunConfig config = TinyConfig();
  config.set_use_model(false);
  config.set_learner_steps(200);
  config.mutable_learner()->mutable_bcq()->set_learning_rate(1e30);
  const std::string dir = FreshTestDir("diverging_learner", /*create=*/false);
  const absl::Status status = RunPipeline(PointMass(), Never(), 1.0, config, dir).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_NE(status.message().find(dir + ": the learner diverged at step "), std::string::npos)
      << status;
  // The first bad value, e.g. "actor_loss is -inf", and what is left.
  const std::string message(status.message());
  const std::string value = message.substr(message.find("diverged at step "));
  EXPECT_TRUE(
      value.find(" is -inf") != std::string::npos || value.find(" is inf") != std::string::npos ||
      value.find(" is nan") != std::string::npos || value.find(" is -nan") != std::string::npos)
      << status;
  EXPECT_NE(message.find("no checkpoint had been written"), std::string::npos) << status;
}

TEST(PipelineTest, ADivergingDynamicsTrainingStopsTheRunNamingTheEpoch) {
  RunConfig config = TinyConfig();
  config.mutable_dynamics()->set_learning_rate(1e30);
  const absl::Status status = RunPipeline(PointMass(), Never(), 1.0, config,
                                          FreshTestDir("diverging_dynamics", /*create=*/false))
                                  .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_NE(status.message().find("the dynamics training diverged at epoch 1: member 0"),
            std::string::npos)
      << status;
}

TEST(PipelineTest, ForwardImaginationTrainsAForwardModel) {
  RunConfig config = TinyConfig();
  config.mutable_dynamics()->set_direction(FORWARD);
  config.set_learner_steps(10);
  const std::string dir = FreshTestDir("forward", /*create=*/false);
  absl::StatusOr<std::unique_ptr<learners::Learner>> learner =
      RunPipeline(PointMass(), Never(), 1.0, config, dir);
  ASSERT_TRUE(learner.ok()) << learner.status();
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> model =
      DynamicsEnsemble::Load((fs::path(dir) / "dynamics.pt").string());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->direction(), FORWARD);
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Two runs that differ only after imagination (e.g. romi-bcq and romi-cql) make each model stage
// once in the shared directory, and each gets what it would have made alone.
TEST(PipelineTest, RunsWithTheSameModelStagesShareThemAndLearnWhatTheyWouldAlone) {
  torch::set_num_threads(1);  // bit-identical results need a fixed thread count
  const std::string shared = FreshTestDir("shared_stages", /*create=*/false);
  RunConfig first = TinyConfig();
  RunConfig second = TinyConfig();
  second.set_model_fraction(0.25);  // the learner stage differs, the model stages do not
  std::vector<std::string> lines;
  PipelineHooks hooks;
  hooks.log = [&lines](const std::string& stage, const std::string& message) {
    lines.push_back(stage + ": " + message);
  };
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, first,
                          FreshTestDir("sharing_first", /*create=*/false), hooks, {}, shared)
                  .ok());
  lines.clear();
  const std::string dir = FreshTestDir("sharing_second", /*create=*/false);
  absl::StatusOr<std::unique_ptr<learners::Learner>> shared_run =
      RunPipeline(PointMass(), Never(), 1.0, second, dir, hooks, {}, shared);
  ASSERT_TRUE(shared_run.ok()) << shared_run.status();
  for (const char* stage : {"dynamics", "rollout_policy", "imagination"}) {
    bool reused = false;
    for (const std::string& line : lines) {
      reused |= line.rfind(std::string(stage) + ": reused what an earlier run made", 0) == 0;
    }
    EXPECT_TRUE(reused) << stage << " was not reused";
  }
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("epoch"), std::string::npos) << "trained again: " << line;
  }
  // Linked, not copied: one file on disk for both runs.
  EXPECT_TRUE(fs::equivalent(fs::path(dir) / "model_buffer.pt",
                             fs::path(::testing::TempDir()) / "sharing_first" / "model_buffer.pt"));

  const std::string alone = FreshTestDir("sharing_alone", /*create=*/false);
  absl::StatusOr<std::unique_ptr<learners::Learner>> alone_run =
      RunPipeline(PointMass(), Never(), 1.0, second, alone);
  ASSERT_TRUE(alone_run.ok()) << alone_run.status();
  for (const char* file : {"dynamics.pt", "rollout_policy.pt", "model_buffer.pt"}) {
    EXPECT_EQ(FileBytes((fs::path(dir) / file).string()),
              FileBytes((fs::path(alone) / file).string()))
        << file;
  }
  ExpectSameParameters(**shared_run, **alone_run);
}

// A run whose dynamics settings differ makes its own model and imagination but reuses the rollout
// policy, which does not depend on the model; a run of another seed shares nothing.
TEST(PipelineTest, RunsShareOnlyTheStagesWhoseInputsAreTheSame) {
  const std::string shared = FreshTestDir("shared_stages_other", /*create=*/false);
  RunConfig config = TinyConfig();
  config.set_learner_steps(10);
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, config,
                          FreshTestDir("other_a", /*create=*/false), {}, {}, shared)
                  .ok());
  RunConfig wider = config;
  wider.mutable_dynamics()->set_hidden_width(8);
  RunConfig reseeded = config;
  reseeded.set_seed(6);
  const auto reused_stages = [&shared](const RunConfig& other) {
    std::set<std::string> reused;
    PipelineHooks hooks;
    hooks.log = [&reused](const std::string& stage, const std::string& message) {
      if (message.find("reused") != std::string::npos) reused.insert(stage);
    };
    EXPECT_TRUE(RunPipeline(PointMass(), Never(), 1.0, other,
                            FreshTestDir("other_b", /*create=*/false), hooks, {}, shared)
                    .ok());
    return reused;
  };
  EXPECT_EQ(reused_stages(wider), (std::set<std::string>{"rollout_policy"}));
  EXPECT_EQ(reused_stages(reseeded), (std::set<std::string>{}));
  // One entry per stage and identity: 3 (first run) + 2 (wider) + 3 (reseeded).
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(shared)) entries += entry.is_directory();
  EXPECT_EQ(entries, 8);
}

TEST(PipelineTest, RefusesADirectoryOfAnotherRunAndBadConfigs) {
  const std::string dir = FreshTestDir("other_run", /*create=*/false);
  RunConfig config = TinyConfig();
  config.set_learner_steps(10);
  ASSERT_TRUE(RunPipeline(PointMass(), Never(), 1.0, config, dir).ok());
  config.set_seed(6);
  const absl::Status status = RunPipeline(PointMass(), Never(), 1.0, config, dir).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find("config.textproto"), absl::string_view::npos) << status;

  // The same config on other data (another draw of the same generator): refused before any stage
  // loads an output computed from the first data, with every stage finished or half-done.
  const data::Dataset other_data = *data::Dataset::FromD4rlFile(
      data::MakePointMassDataset(600, 50, 4), data::DatasetOptions(), "other point mass");
  config.set_seed(5);
  config.set_learner_steps(20);
  for (const std::string stage : {"dynamics", "learner"}) {
    const std::string partial = FreshTestDir(absl::StrCat("other_data_", stage), false);
    PipelineFaults faults;
    if (stage == "learner") {
      faults.stop_after_learner_step = 10;
    } else {
      faults.stop_after_stage = stage;
    }
    ASSERT_EQ(RunPipeline(PointMass(), Never(), 1.0, config, partial, {}, faults).status().code(),
              absl::StatusCode::kCancelled);
    const absl::Status refused = RunPipeline(other_data, Never(), 1.0, config, partial).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_NE(refused.message().find("data.fingerprint"), absl::string_view::npos) << refused;
    EXPECT_NE(refused.message().find("other point mass"), absl::string_view::npos) << refused;
    EXPECT_TRUE(RunPipeline(PointMass(), Never(), 1.0, config, partial).ok()) << stage;
  }

  RunConfig bad = TinyConfig();
  bad.set_model_fraction(1.5);
  EXPECT_EQ(RunPipeline(PointMass(), Never(), 1.0, bad, FreshTestDir("bad", /*create=*/false))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  bad = TinyConfig();
  bad.mutable_learner()->clear_algorithm();
  EXPECT_EQ(RunPipeline(PointMass(), Never(), 1.0, bad, FreshTestDir("bad", /*create=*/false))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi
