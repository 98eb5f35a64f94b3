// The loop every behaviour-policy dataset shares: run a policy in a native MuJoCo task and record
// D4RL's gym-mujoco layout. The random-policy and trained-policy generators differ only in how
// they pick an action (random_policy_generator.h, policy_generator.h).
//
// Episodes run until the env terminates or reaches its time limit, then the env is reset with the
// next draw of `reset_rng`; the last episode is cut wherever the rows end (neither terminal nor
// timeout), as in D4RL's files. Keys: observations, next_observations, actions, rewards,
// terminals, timeouts, infos/qpos and infos/qvel (the state behind observations[t]) and
// infos/action_log_probs (what the sampler reports).
#ifndef ROMI_DATAGEN_ROLLOUT_RECORDER_H_
#define ROMI_DATAGEN_ROLLOUT_RECORDER_H_

#include <functional>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"

namespace romi::datagen {

// Writes the action for `observation` into `action` (act_dim entries) and returns its log-density.
using ActionSampler =
    std::function<double(absl::Span<const double> observation, std::vector<double>& action)>;

// Any registered MuJoCo task (link its env library). NotFoundError for an unknown task;
// InvalidArgumentError for rows <= 0 or a task without MuJoCo state; the env's error if a step
// fails. The first Reset and every later one take reset_rng(), in order, between the sampler's
// calls, so a sampler may share that generator.
absl::StatusOr<data::D4rlFile> RecordRollouts(absl::string_view task,
                                              const GeneratorOptions& options,
                                              std::mt19937_64& reset_rng,
                                              const ActionSampler& sample);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_ROLLOUT_RECORDER_H_
