#include "romi/rollout_policy_registry.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace romi {

Registry<RolloutPolicyEntry>& RolloutPolicies() {
  static auto* registry =
      new Registry<RolloutPolicyEntry>("rollout policy", "link //romi:rollout_policies");
  return *registry;
}

void FillDefaultWidths(RolloutPolicyConfig* config) {
  const absl::StatusOr<const RolloutPolicyEntry*> entry = RolloutPolicies().Find(config->name());
  if (!entry.ok() || config->hidden_size() > 0) return;
  for (int64_t width : (*entry)->default_hidden) config->add_hidden(static_cast<int32_t>(width));
}

absl::StatusOr<std::unique_ptr<RolloutPolicy>> CreateRolloutPolicy(
    const RolloutPolicyOptions& unresolved) {
  ROMI_ASSIGN_OR_RETURN(const RolloutPolicyEntry* entry,
                        RolloutPolicies().Find(unresolved.config.name()));
  RolloutPolicyOptions options = unresolved;
  FillDefaultWidths(&options.config);
  if (options.obs_dim <= 0 || options.act_dim <= 0 || options.max_action <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rollout policy '", options.config.name(), "': obs_dim ", options.obs_dim, ", act_dim ",
        options.act_dim, " and max_action ", options.max_action, " must be positive"));
  }
  return entry->create(options);
}

}  // namespace romi
