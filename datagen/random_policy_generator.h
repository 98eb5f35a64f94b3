// Datasets of a uniform random policy in a native simulator: D4RL's gym-mujoco "-random-v2"
// datasets (hopper, walker2d, halfcheetah).
//
// Recipe: actions uniform in the task's action bounds; episodes run until the env terminates or
// reaches its time limit (1000 steps for gym-mujoco), then the env is reset with a fresh seed.
// The last episode is cut wherever the row budget ends (neither terminal nor timeout), as in
// D4RL's files.
//
// Keys: observations [N, obs], next_observations [N, obs], actions [N, act], rewards [N],
// terminals [N] (the env's termination rule fired), timeouts [N] (truncated by the time limit),
// infos/qpos [N, nq] and infos/qvel [N, nv] (the state behind observations[t]),
// infos/action_log_probs [N] (the uniform density's log, -sum(log(high - low))).
#ifndef ROMI_DATAGEN_RANDOM_POLICY_GENERATOR_H_
#define ROMI_DATAGEN_RANDOM_POLICY_GENERATOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"

namespace romi::datagen {

// Any registered MuJoCo task (link its env library, e.g. //envs:all_envs). NotFoundError for an
// unknown task; InvalidArgumentError for rows <= 0; the env's error if a step fails.
absl::StatusOr<data::D4rlFile> GenerateRandomPolicyDataset(absl::string_view task,
                                                           const GeneratorOptions& options);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_RANDOM_POLICY_GENERATOR_H_
