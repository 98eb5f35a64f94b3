// D4RL's normalized score: 100 * (R - R_min) / (R_max - R_min), where R is an undiscounted
// episode return and R_min / R_max are the task's reference returns (a random policy and an
// expert, D4RL_SPEC.md), carried by each task's EnvSpec.
#ifndef ROMI_ENVS_NORMALIZED_SCORE_H_
#define ROMI_ENVS_NORMALIZED_SCORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/env.h"

namespace romi::envs {

double NormalizedScore(const EnvSpec& spec, double episode_return);

// By task name; NotFoundError (listing the tasks) for an unknown name.
absl::StatusOr<double> NormalizedScore(absl::string_view task, double episode_return);

}  // namespace romi::envs

#endif  // ROMI_ENVS_NORMALIZED_SCORE_H_
