#include "romi/rollout_policy_registry.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace romi {

Registry<RolloutPolicyFactory>& RolloutPolicies() {
  static auto* registry =
      new Registry<RolloutPolicyFactory>("rollout policy", "link //romi:rollout_policies");
  return *registry;
}

absl::StatusOr<std::unique_ptr<RolloutPolicy>> CreateRolloutPolicy(
    const RolloutPolicyOptions& options) {
  ROMI_ASSIGN_OR_RETURN(const RolloutPolicyFactory* factory,
                        RolloutPolicies().Find(options.config.name()));
  if (options.obs_dim <= 0 || options.act_dim <= 0 || options.max_action <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rollout policy '", options.config.name(), "': obs_dim ", options.obs_dim, ", act_dim ",
        options.act_dim, " and max_action ", options.max_action, " must be positive"));
  }
  return (*factory)(options);
}

}  // namespace romi
