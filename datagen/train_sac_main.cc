// Trains a SAC policy online on a native task and keeps snapshots of it: the behaviour policies of
// the generated medium / expert gym datasets.
//
//   bazel run //datagen:train_sac -- --task=hopper-medium-v2 --steps=300000 --out=/tmp/sac_hopper
//
// Rerun with the same --out to resume. Writes, in --out: learner.pt and replay.pt (checkpoint),
// log.txt (one line per evaluation), curve.csv, events.out.tfevents.0.romi (the same curve for
// TensorBoard), and policies/step_<k>.pt, the policy at every
// snapshot step as a policy file (policy_file.h), ready to ship as a behaviour policy.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/blas_tuning.h"
#include "base/event_file.h"
#include "base/status_macros.h"
#include "datagen/online_sac.h"
#include "datagen/online_sac.pb.h"
#include "datagen/policy_file.h"
#include "envs/registry.h"
#include "learners/nn/runtime.h"

ABSL_FLAG(std::string, task, "hopper-medium-v2", "Registered task (any dataset name of the env).");
// The run's settings are an OnlineSacConfig (datagen/online_sac.proto): its defaults are the
// flags'.
const romi::datagen::OnlineSacConfig& Defaults() {
  return romi::datagen::OnlineSacConfig::default_instance();
}
ABSL_FLAG(int64_t, steps, Defaults().total_steps(), "Environment steps.");
ABSL_FLAG(int64_t, random_steps, Defaults().random_steps(),
          "Uniform random actions before learning starts.");
ABSL_FLAG(int64_t, batch_size, Defaults().batch_size(), "SAC batch size.");
ABSL_FLAG(int64_t, eval_every, Defaults().eval_every(),
          "Evaluate the deterministic policy this often.");
ABSL_FLAG(int, eval_episodes, Defaults().eval_episodes(), "Episodes per evaluation.");
ABSL_FLAG(int64_t, checkpoint_every, Defaults().checkpoint_every(),
          "Checkpoint (and cut the running episode) this often.");
ABSL_FLAG(uint64_t, seed, Defaults().seed(), "Seed of the run.");
ABSL_FLAG(int, threads, Defaults().threads(),
          "Intra-op threads (<= 0: one per core). A re-run reproduces a run only with its count.");
ABSL_FLAG(int64_t, snapshot_every, 10000, "Keep a copy of the policy this often (0: never).");
ABSL_FLAG(std::string, out, "",
          "Run directory (required); config.textproto there records the run.");

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

int Run() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::fprintf(stderr, "train_sac: --out is required\n");
    return 2;
  }
  learners::KeepFreedMemory();
  OnlineSacConfig config;
  config.set_total_steps(absl::GetFlag(FLAGS_steps));
  config.set_random_steps(absl::GetFlag(FLAGS_random_steps));
  config.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  config.set_eval_every(absl::GetFlag(FLAGS_eval_every));
  config.set_eval_episodes(absl::GetFlag(FLAGS_eval_episodes));
  config.set_checkpoint_every(absl::GetFlag(FLAGS_checkpoint_every));
  config.set_seed(absl::GetFlag(FLAGS_seed));
  config.set_threads(absl::GetFlag(FLAGS_threads));
  const std::string task = absl::GetFlag(FLAGS_task);
  const int64_t snapshot_every = absl::GetFlag(FLAGS_snapshot_every);

  const absl::StatusOr<envs::EnvSpec> spec = envs::FindSpec(task);
  if (!spec.ok()) {
    std::fprintf(stderr, "train_sac: %s\n", spec.status().ToString().c_str());
    return 1;
  }
  std::error_code error;
  fs::create_directories(fs::path(out) / "policies", error);
  std::ofstream log(fs::path(out) / "log.txt", std::ios::app);
  absl::StatusOr<EventFile> events = EventFile::Open(out);  // TensorBoard: the evaluation curve
  if (!events.ok()) {
    std::fprintf(stderr, "train_sac: %s\n", events.status().ToString().c_str());
    return 1;
  }
  OnlineSacHooks hooks;
  hooks.log = [&log](const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
    log << line << std::endl;
  };
  hooks.on_evaluation = [&](const OnlineEvaluation& e, learners::Learner& learner) -> absl::Status {
    std::ofstream csv(fs::path(out) / "curve.csv", std::ios::app);
    csv << absl::StrFormat("%d,%.4f,%.4f,%.4f\n", e.step, e.return_mean, e.return_std,
                           e.score_mean);
    ROMI_RETURN_IF_ERROR(events->AddScalar("eval/return", e.step, e.return_mean));
    ROMI_RETURN_IF_ERROR(events->AddScalar("eval/score", e.step, e.score_mean));
    if (snapshot_every > 0 && e.step % snapshot_every == 0) {
      return SavePolicyFile(
          learner, "policy", SacPolicyOptions(*spec, config.sac()),
          (fs::path(out) / "policies" / absl::StrCat("step_", e.step, ".pt")).string());
    }
    return absl::OkStatus();
  };
  const absl::StatusOr<std::vector<OnlineEvaluation>> curve =
      TrainOnlineSac([&task] { return envs::MakeEnv(task); }, config, out, hooks);
  if (!curve.ok()) {
    std::fprintf(stderr, "train_sac: %s\n", curve.status().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace romi::datagen

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::SetProgramUsageMessage("Usage: train_sac --task=hopper-medium-v2 --out=DIR [--steps=N]");
  absl::ParseCommandLine(argc, argv);
  return romi::datagen::Run();
}
