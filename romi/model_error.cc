// The paper's Table 5: one-step error of forward and reverse dynamics models with the same
// architecture, data and seed, on transitions neither model trained on. Also reports training time
// and reverse-imagination throughput (imagination without termination: the data's task is unknown
// to this tool).
//
//   bazel run //romi:model_error -- /path/to/dataset.hdf5 [--max_epochs=0] [--test_fraction=0.1]
//   bazel run //romi:model_error -- --synthetic_rows=20000      (no file: data/synthetic.h)
#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "base/blas_tuning.h"
#include "data/dataset.h"
#include "data/index_distribution.h"
#include "data/synthetic.h"
#include "envs/termination.h"
#include "romi/dynamics_ensemble.h"
#include "romi/imagination.h"
#include "romi/one_step_error.h"
#include "romi/rollout_policy_registry.h"

ABSL_FLAG(int64_t, synthetic_rows, 20000,
          "Rows of synthetic point-mass data when no file is given.");
ABSL_FLAG(int, max_episode_steps, 0, "For files without 'timeouts'.");
ABSL_FLAG(double, test_fraction, 0.1, "Share of transitions held out from both models.");
ABSL_FLAG(int, max_epochs, 0, "Cap on model training epochs (0: until early stopping).");
ABSL_FLAG(int, members, 7, "Ensemble members.");
ABSL_FLAG(int, elites, 5, "Elite members.");
ABSL_FLAG(int64_t, imagination_rows, 100000, "Reverse-imagined transitions to time.");
ABSL_FLAG(uint64_t, seed, 0, "Seed for the split, both models and imagination.");

namespace romi {
namespace {

int Run(const std::string& path) {
  data::DatasetOptions options;
  options.set_max_episode_steps(absl::GetFlag(FLAGS_max_episode_steps));
  absl::StatusOr<data::Dataset> dataset =
      path.empty() ? data::Dataset::FromD4rlFile(
                         data::MakePointMassDataset(absl::GetFlag(FLAGS_synthetic_rows), 200, 0),
                         options, "synthetic point mass")
                   : data::Dataset::Load(path, options);
  if (!dataset.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(dataset.status().message()).c_str());
    return 1;
  }
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t rows = dataset->size();
  const absl::StatusOr<TrainTestSplit> split =
      SplitTransitions(dataset->transitions(), absl::GetFlag(FLAGS_test_fraction), seed);
  if (!split.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(split.status().message()).c_str());
    return 1;
  }
  const data::Transitions& train = split->train;
  const int64_t test_rows = split->test.size();
  std::printf("%s: %lld transitions (%lld train, %lld test), obs %lld, act %lld\n\n",
              dataset->summary().source.c_str(), static_cast<long long>(rows),
              static_cast<long long>(train.size()), static_cast<long long>(test_rows),
              static_cast<long long>(dataset->obs_dim()),
              static_cast<long long>(dataset->act_dim()));

  std::printf("%-8s %8s %8s %10s %14s %14s\n", "model", "epochs", "steps", "seconds", "holdout MSE",
              "test MSE");
  std::unique_ptr<DynamicsEnsemble> reverse_model;
  for (const Direction direction : {FORWARD, REVERSE}) {
    DynamicsConfig config;
    config.set_direction(direction);
    config.set_members(absl::GetFlag(FLAGS_members));
    config.set_elites(absl::GetFlag(FLAGS_elites));
    config.set_max_epochs(absl::GetFlag(FLAGS_max_epochs));
    // Means over the elites: what imagination actually samples from.
    absl::StatusOr<OneStepError> error = MeasureOneStepError(*split, config, seed);
    if (!error.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(error.status().message()).c_str());
      return 1;
    }
    const DynamicsTrainingSummary& s = error->training;
    std::printf("%-8s %8d %8lld %10.1f %14.6g %14.6g\n",
                direction == REVERSE ? "reverse" : "forward", s.epochs,
                static_cast<long long>(s.steps), s.seconds, error->holdout_mse, error->test_mse);
    if (direction == REVERSE) reverse_model = std::move(error->model);
  }

  RolloutPolicyOptions policy_options;
  policy_options.obs_dim = dataset->obs_dim();
  policy_options.act_dim = dataset->act_dim();
  policy_options.config.set_name("uniform");
  std::unique_ptr<RolloutPolicy> policy = *CreateRolloutPolicy(policy_options);
  ImaginationConfig imagination;
  imagination.set_buffer_size(absl::GetFlag(FLAGS_imagination_rows));
  ImaginationSummary summary;
  const absl::StatusOr<data::Transitions> buffer =
      Imagine(*reverse_model, *policy, train, data::IndexDistribution::Uniform(train.size()),
              envs::NeverTerminates(dataset->obs_dim(), dataset->act_dim()), imagination, generator,
              &summary);
  if (!buffer.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(buffer.status().message()).c_str());
    return 1;
  }
  std::printf(
      "\nreverse imagination (uniform policy, h = %d, %d starts per round): %lld "
      "transitions in %.2f s = %.0f transitions/s\n",
      imagination.rollout_length(), imagination.starts_per_round(),
      static_cast<long long>(summary.rows), summary.seconds, summary.rows / summary.seconds);
  return 0;
}

}  // namespace
}  // namespace romi

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  // LibTorch's default here is 1 thread; use every core.
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  absl::SetProgramUsageMessage("Usage: model_error [flags] [dataset.hdf5]");
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() > 2) {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  return romi::Run(args.size() == 2 ? args[1] : "");
}
