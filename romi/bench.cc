// Model-stage throughput at the paper's settings: the dynamics ensemble's training (seconds per
// epoch, GFLOP/s next to this machine's fp32 matmul peak measured in the same process) and
// imagination (transitions per second).
//
//   bazel run //romi:bench -- [--threads=0] [--rows=100000] [--obs_dim=4] [--act_dim=2]
//       [--epochs=3] [--imagination_rows=200000] [--rollout_policy=uniform|cvae]
//       [--profile=/tmp/trace]
//
// Dynamics: DynamicsConfig's defaults (7 members, 4 x 200 swish, batch 256, Gaussian NLL, weight
// decay, hold-out of 1000 rows) trained through DynamicsEnsemble::Train itself on random rows;
// epochs 2.. are timed (the first includes the split and the normalizer) and the median is shown.
// FLOPs per step are analytic (linear layers only, forward + backward, as learners/update_flops.h
// counts them: the first layer, fed by data, needs no input gradient). A paper-budget epoch scales
// with the training rows (maze2d: 1e6 rows, ~3 900 steps).
// Imagination: Imagine() with the model just trained, rollout length 5 and 1 000 starts per round
// (ImaginationConfig's defaults), filling --imagination_rows transitions.
// Dimensions default to maze2d's (obs 4, act 2).
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "base/blas_tuning.h"
#include "data/index_distribution.h"
#include "envs/termination.h"
#include "learners/nn/runtime.h"
#include "romi/dynamics_ensemble.h"
#include "romi/imagination.h"
#include "romi/rollout_policy_registry.h"

ABSL_FLAG(int, threads, 0, "Intra-op threads (0: one per core).");
ABSL_FLAG(int64_t, rows, 100000, "Training rows of the dynamics bench (hold-out included).");
ABSL_FLAG(int64_t, obs_dim, 4, "Observation width.");
ABSL_FLAG(int64_t, act_dim, 2, "Action width.");
ABSL_FLAG(int, epochs, 3, "Timed dynamics epochs (after one untimed).");
ABSL_FLAG(int64_t, imagination_rows, 200000, "Transitions imagined by the imagination bench.");
ABSL_FLAG(std::string, rollout_policy, "uniform",
          "Rollout policy of the imagination bench (registered name; untrained).");
ABSL_FLAG(std::string, profile, "",
          "If set, also profiles one dynamics epoch: prints where its time goes, op by op, and "
          "writes the Chrome trace to <profile>.dynamics.json.");

namespace romi {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// FLOPs of one training step of the ensemble on a batch of config.batch_size() rows per member.
double DynamicsStepFlops(const DynamicsConfig& config, int64_t obs_dim, int64_t act_dim) {
  std::vector<int64_t> widths = {obs_dim + act_dim};
  for (int i = 0; i < config.hidden_layers(); ++i) widths.push_back(config.hidden_width());
  widths.push_back(2 * (obs_dim + 1));  // mean and log-variance of [reward, state delta]
  double flops = 0;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    const double forward = 2.0 * config.batch_size() * widths[l] * widths[l + 1];
    flops += forward * (l == 0 ? 2 : 3);
  }
  return flops * config.members();
}

data::Transitions RandomTransitions(int64_t rows, int64_t obs_dim, int64_t act_dim,
                                    torch::Generator& generator) {
  return {torch::randn({rows, obs_dim}, generator), torch::rand({rows, act_dim}, generator) * 2 - 1,
          torch::randn({rows}, generator), torch::randn({rows, obs_dim}, generator),
          torch::zeros({rows})};
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Run() {
  const int threads = learners::SetIntraOpThreads(absl::GetFlag(FLAGS_threads));
  const torch::Device cpu = torch::kCPU;
  const double peak = learners::MeasureMatmulPeakGflops(cpu, torch::kFloat);
  const std::string core = OpenBlasCoreName();
  const char* core_source =
      std::getenv("OPENBLAS_CORETYPE") != nullptr ? " (OPENBLAS_CORETYPE)" : "";
  std::printf("cpu, %d intra-op threads, OpenBLAS %s kernels%s\n", threads,
              core.empty() ? "(not loaded)" : core.c_str(), core_source);
  std::printf("fp32 matmul peak %.1f GFLOP/s\n\n", peak);

  const int64_t obs_dim = absl::GetFlag(FLAGS_obs_dim);
  const int64_t act_dim = absl::GetFlag(FLAGS_act_dim);
  const int timed_epochs = std::max(1, absl::GetFlag(FLAGS_epochs));
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const data::Transitions data =
      RandomTransitions(absl::GetFlag(FLAGS_rows), obs_dim, act_dim, generator);

  // Dynamics: one untimed epoch, then the timed ones, all inside one Train call.
  DynamicsConfig config;
  config.set_max_epochs(1 + timed_epochs);
  config.set_patience(1 << 30);  // random targets: never stop early
  std::vector<double> epoch_seconds;
  int64_t steps_per_epoch = 0;
  Clock::time_point epoch_start = Clock::now();
  DynamicsTrainingOptions options;
  options.progress = [&](const DynamicsEpoch& epoch) {
    if (epoch.epoch == 1) steps_per_epoch = epoch.steps;
    if (epoch.epoch > 1) epoch_seconds.push_back(Seconds(epoch_start));
    epoch_start = Clock::now();
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> model =
      DynamicsEnsemble::Train(data, config, /*seed=*/1, options);
  if (!model.ok()) return Fail(model.status());
  const double step_flops = DynamicsStepFlops(config, obs_dim, act_dim);
  const double seconds = learners::Median(epoch_seconds);
  const double steps_per_second = steps_per_epoch / seconds;
  const double gflops = steps_per_second * step_flops / 1e9;
  std::printf("%-12s %10s %10s %12s %14s %10s %12s\n", "stage", "rows", "s/epoch", "steps/s",
              "GFLOP/step", "GFLOP/s", "% fp32 peak");
  std::printf("%-12s %10lld %10.2f %12.1f %14.3f %10.1f %11.1f%%\n", "dynamics",
              static_cast<long long>(data.size()), seconds, steps_per_second, step_flops / 1e9,
              gflops, 100.0 * gflops / peak);
  std::fflush(stdout);
  if (const std::string profile = absl::GetFlag(FLAGS_profile); !profile.empty()) {
    const std::string path = absl::StrCat(profile, ".dynamics.json");
    config.set_max_epochs(1);
    absl::Status trained;
    absl::StatusOr<std::string> table = learners::ProfileOps(path, 1, 15, [&] {
      if (trained.ok()) trained = DynamicsEnsemble::Train(data, config, 1).status();
    });
    if (!trained.ok()) return Fail(trained);
    if (!table.ok()) return Fail(table.status());
    std::printf(
        "op profile of one dynamics epoch (torch ops only: the ensemble's own BLAS calls "
        "count inside the op that makes them or not at all; trace: %s):\n%s\n",
        path.c_str(), table->c_str());
  }

  // Imagination with the trained model and an untrained rollout policy.
  RolloutPolicyOptions policy_options;
  policy_options.obs_dim = obs_dim;
  policy_options.act_dim = act_dim;
  policy_options.config.set_name(absl::GetFlag(FLAGS_rollout_policy));
  absl::StatusOr<std::unique_ptr<RolloutPolicy>> policy = CreateRolloutPolicy(policy_options);
  if (!policy.ok()) return Fail(policy.status());
  ImaginationConfig imagination;
  imagination.set_buffer_size(absl::GetFlag(FLAGS_imagination_rows));
  ImaginationSummary summary;
  absl::StatusOr<data::Transitions> buffer =
      Imagine(**model, **policy, data, data::IndexDistribution::Uniform(data.size()),
              envs::NeverTerminates(static_cast<int>(obs_dim), static_cast<int>(act_dim)),
              imagination, generator, &summary);
  if (!buffer.ok()) return Fail(buffer.status());
  std::printf("\n%-12s %10s %10s %16s   (rollout length %d, %d starts per round, %s policy)\n",
              "stage", "rows", "seconds", "transitions/s", imagination.rollout_length(),
              imagination.starts_per_round(), policy_options.config.name().c_str());
  std::printf("%-12s %10lld %10.2f %16.0f\n", "imagination", static_cast<long long>(summary.rows),
              summary.seconds, summary.rows / std::max(summary.seconds, 1e-9));
  return 0;
}

}  // namespace
}  // namespace romi

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::SetProgramUsageMessage(
      "Usage: bench [--threads=N] [--rows=R] [--obs_dim=D] [--act_dim=A] [--epochs=E] "
      "[--imagination_rows=N] [--rollout_policy=uniform|cvae] [--profile=PREFIX]");
  absl::ParseCommandLine(argc, argv);
  return romi::Run();
}
