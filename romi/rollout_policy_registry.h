// The registry of rollout policies by name.
//
//   REGISTER_ROLLOUT_POLICY("cvae", factory, learners::ConditionalVaeOptions().hidden);
// in the policy's .cc registers it (and the network widths it uses when the config gives none;
// nothing for a policy without a network) at static-initialization time; its cc_library needs
// alwayslink = 1 or the linker drops the registration.
#ifndef ROMI_ROMI_ROLLOUT_POLICY_REGISTRY_H_
#define ROMI_ROMI_ROLLOUT_POLICY_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/registry.h"
#include "romi/rollout_policy.h"

namespace romi {

using RolloutPolicyFactory =
    std::function<absl::StatusOr<std::unique_ptr<RolloutPolicy>>(const RolloutPolicyOptions&)>;

struct RolloutPolicyEntry {
  RolloutPolicyFactory create;
  std::vector<int64_t> default_hidden;  // network widths when config.hidden is empty
};

// NotFound, listing the registered names, for an unknown options.config.name(). The factory sees
// the config with its widths filled in (FillDefaultWidths).
absl::StatusOr<std::unique_ptr<RolloutPolicy>> CreateRolloutPolicy(
    const RolloutPolicyOptions& options);
// Writes the named policy's default widths into an empty config->hidden (the pipeline's resolved
// config records them); nothing for a policy without a network or an unknown name.
void FillDefaultWidths(RolloutPolicyConfig* config);
// The rollout policies by name (base/registry.h).
Registry<RolloutPolicyEntry>& RolloutPolicies();

#define REGISTER_ROLLOUT_POLICY(name, ...) \
  ROMI_REGISTER(::romi::RolloutPolicies(), name, (::romi::RolloutPolicyEntry{__VA_ARGS__}))

}  // namespace romi

#endif  // ROMI_ROMI_ROLLOUT_POLICY_REGISTRY_H_
