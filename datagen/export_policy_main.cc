// Writes the policy of a SAC learner checkpoint (train_sac's learner.pt or policies/step_<k>.pt)
// as a policy file (policy_file.h): what datagen/policies/ ships.
//
//   bazel run //datagen:export_policy -- --task=hopper-medium-v2
//       --learner=/tmp/sac_hopper/learner.pt --out=$PWD/datagen/policies/hopper-medium.pt
//
// With --policy=<policy file> (train_sac's policies/step_<k>.pt snapshots are policy files) it only
// evaluates that file.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "base/blas_tuning.h"
#include "datagen/online_sac.h"
#include "datagen/policy_file.h"
#include "envs/registry.h"

ABSL_FLAG(std::string, task, "", "A task of the env the policy was trained on.");
ABSL_FLAG(std::string, learner, "", "The SAC learner checkpoint.");
ABSL_FLAG(std::string, out, "", "The policy file to write.");
ABSL_FLAG(std::string, policy, "",
          "Evaluate this policy file (e.g. a train_sac snapshot) instead of exporting a learner.");
ABSL_FLAG(
    int, evaluate_episodes, 10,
    "Then evaluate the written policy's deterministic actions on this many episodes with "
    "train_sac's evaluation seeds (what datagen/policies/manifest.textproto records); 0: skip.");
ABSL_FLAG(uint64_t, seed, 0, "The training run's seed (selects the evaluation seeds).");

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<romi::envs::EnvSpec> spec = romi::envs::FindSpec(absl::GetFlag(FLAGS_task));
  if (!spec.ok()) {
    std::fprintf(stderr, "export_policy: %s\n", spec.status().ToString().c_str());
    return 1;
  }
  std::string policy_path = absl::GetFlag(FLAGS_policy);
  if (policy_path.empty()) {
    const romi::learners::SacConfig sac;
    absl::StatusOr<std::unique_ptr<romi::learners::Learner>> learner =
        romi::datagen::MakeSacLearner(*spec, sac, 0);
    absl::Status status =
        learner.ok() ? (*learner)->Load(absl::GetFlag(FLAGS_learner)) : learner.status();
    if (status.ok()) {
      status = romi::datagen::SavePolicyFile(**learner, "policy",
                                             romi::datagen::SacPolicyOptions(*spec, sac),
                                             absl::GetFlag(FLAGS_out));
    }
    if (!status.ok()) {
      std::fprintf(stderr, "export_policy: %s\n", status.ToString().c_str());
      return 1;
    }
    std::printf("wrote %s\n", absl::GetFlag(FLAGS_out).c_str());
    policy_path = absl::GetFlag(FLAGS_out);
  }
  const int episodes = absl::GetFlag(FLAGS_evaluate_episodes);
  if (episodes <= 0) return 0;
  absl::StatusOr<romi::learners::TanhGaussianPolicy> policy =
      romi::datagen::LoadPolicyFile(policy_path);
  absl::StatusOr<std::unique_ptr<romi::envs::Env>> env = romi::envs::MakeEnv(spec->task);
  if (!policy.ok() || !env.ok()) {
    std::fprintf(stderr, "export_policy: %s\n",
                 (policy.ok() ? env.status() : policy.status()).ToString().c_str());
    return 1;
  }
  absl::StatusOr<romi::datagen::ActFn> act =
      romi::datagen::DeterministicActions(*policy, (*env)->Spec());
  if (!act.ok()) {
    std::fprintf(stderr, "export_policy: %s: %s\n", policy_path.c_str(),
                 act.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<romi::datagen::OnlineEvaluation> score =
      romi::datagen::EvaluatePolicy(**env, *act, episodes, absl::GetFlag(FLAGS_seed));
  if (!score.ok()) {
    std::fprintf(stderr, "export_policy: %s\n", score.status().ToString().c_str());
    return 1;
  }
  std::printf("%s over %d episodes: return %.4f ± %.4f, normalized score %.4f\n",
              spec->task.c_str(), episodes, score->return_mean, score->return_std,
              score->score_mean);
  return 0;
}
