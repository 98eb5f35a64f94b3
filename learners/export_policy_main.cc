// Writes the policy of a SAC learner checkpoint (train_sac's learner.pt or policies/step_<k>.pt)
// as a policy file (policy_file.h): what data/policies/ ships.
//
//   bazel run //learners:export_policy -- --task=hopper-medium-v2
//       --learner=/tmp/sac_hopper/learner.pt --out=$PWD/data/policies/hopper-medium.pt
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "envs/registry.h"
#include "learners/online_sac.h"
#include "learners/policy_file.h"

ABSL_FLAG(std::string, task, "", "A task of the env the policy was trained on.");
ABSL_FLAG(std::string, learner, "", "The SAC learner checkpoint.");
ABSL_FLAG(std::string, out, "", "The policy file to write.");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<romi::envs::EnvSpec> spec = romi::envs::FindSpec(absl::GetFlag(FLAGS_task));
  if (!spec.ok()) {
    std::fprintf(stderr, "export_policy: %s\n", spec.status().ToString().c_str());
    return 1;
  }
  const romi::learners::SacConfig sac;
  absl::StatusOr<std::unique_ptr<romi::learners::Learner>> learner =
      romi::learners::MakeSacLearner(*spec, sac, 0);
  absl::Status status = learner.ok() ? (*learner)->Load(absl::GetFlag(FLAGS_learner))
                                     : learner.status();
  if (status.ok()) {
    status = romi::learners::SavePolicyFile(**learner, "policy",
                                            romi::learners::SacPolicyOptions(*spec, sac),
                                            absl::GetFlag(FLAGS_out));
  }
  if (!status.ok()) {
    std::fprintf(stderr, "export_policy: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("wrote %s\n", absl::GetFlag(FLAGS_out).c_str());
  return 0;
}
