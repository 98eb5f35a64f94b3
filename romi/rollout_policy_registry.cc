#include "romi/rollout_policy_registry.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace romi {
namespace {

std::map<std::string, RolloutPolicyFactory>& Registry() {
  static auto* registry = new std::map<std::string, RolloutPolicyFactory>();
  return *registry;
}

}  // namespace

bool RegisterRolloutPolicy(const std::string& name, RolloutPolicyFactory factory) {
  return Registry().emplace(name, std::move(factory)).second;
}

std::vector<std::string> RegisteredRolloutPolicies() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

absl::StatusOr<std::unique_ptr<RolloutPolicy>> CreateRolloutPolicy(
    const RolloutPolicyOptions& options) {
  const auto it = Registry().find(options.config.name());
  if (it == Registry().end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown rollout policy '", options.config.name(),
                     "' (registered: ", absl::StrJoin(RegisteredRolloutPolicies(), ", "), ")"));
  }
  if (options.obs_dim <= 0 || options.act_dim <= 0 || options.max_action <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rollout policy '", options.config.name(), "': obs_dim ", options.obs_dim, ", act_dim ",
        options.act_dim, " and max_action ", options.max_action, " must be positive"));
  }
  return it->second(options);
}

}  // namespace romi
