#include "envs/normalized_score.h"

#include "base/status_macros.h"
#include "envs/registry.h"

namespace romi::envs {

double NormalizedScore(const EnvSpec& spec, double episode_return) {
  return 100.0 * (episode_return - spec.ref_min_score) / (spec.ref_max_score - spec.ref_min_score);
}

absl::StatusOr<double> NormalizedScore(absl::string_view task, double episode_return) {
  ROMI_ASSIGN_OR_RETURN(const EnvSpec spec, FindSpec(task));
  return NormalizedScore(spec, episode_return);
}

}  // namespace romi::envs
