// Datasets of a trained behaviour policy in a native simulator: D4RL's gym-mujoco "-medium-v2"
// and "-expert-v2" datasets, and "-medium-expert-v2" (the two concatenated), from the SAC
// policies shipped in datagen/policies/ (their manifest says how each was trained).
//
// Recipe: actions sampled from the stochastic tanh-Gaussian policy (as D4RL's, which is why its
// files carry infos/action_log_probs); episodes run until the env terminates or reaches its time
// limit, then the env is reset with a fresh seed; the last episode is cut where the rows end.
// Keys as the random-policy datasets (random_policy_generator.h) with the policy's log-densities
// in infos/action_log_probs, plus the policy's weights under metadata/policy/ as D4RL stores them.
#ifndef ROMI_DATAGEN_POLICY_GENERATOR_H_
#define ROMI_DATAGEN_POLICY_GENERATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::datagen {

// Rolls out `policy` in `task` (any registered MuJoCo task). Deterministic in options.seed;
// a smaller dataset is a prefix of a larger one.
absl::StatusOr<data::D4rlFile> GeneratePolicyRollouts(absl::string_view task,
                                                      learners::TanhGaussianPolicy& policy,
                                                      const GeneratorOptions& options);

// The folder of the shipped policies and their manifest: $ROMI_POLICY_DIR when set, else
// datagen/policies (the runfiles of //datagen/policies:policies).
std::string ShippedPolicyDir();
// Where the shipped policy `name` (e.g. "hopper-medium") lives: <ShippedPolicyDir()>/<name>.pt.
std::string ShippedPolicyPath(const std::string& name);

// "<env>-medium-v2" / "<env>-expert-v2": rollouts of the shipped <env>-medium / <env>-expert
// policy. "<env>-medium-expert-v2": rows / 2 of each (medium first, with seeds seed and seed + 1),
// as D4RL concatenates its medium and expert files; this one is not a prefix of a larger one.
//
// "<env>-medium-replay-v2": the replay buffer of the SAC run that produced the shipped medium
// policy, up to the step the policy was taken at (D4RL's recipe). The buffer is too large to ship,
// so it is re-created by re-running that training from the manifest's settings in a temporary
// folder (minutes), with the original's thread count. The run is deterministic for given BLAS
// kernels and threads; with other kernels the last bits differ and the re-run drifts from the
// original, so the file records whether the re-run's final policy equals the shipped one
// (metadata romi_replay_matches_shipped_policy). At most the
// manifest's train_steps rows; no infos/ (the trainer keeps no qpos/qvel).
absl::StatusOr<data::D4rlFile> GenerateShippedPolicyDataset(absl::string_view task,
                                                            const GeneratorOptions& options);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_POLICY_GENERATOR_H_
