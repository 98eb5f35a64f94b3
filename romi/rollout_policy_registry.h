// The registry of rollout policies by name.
//
//   REGISTER_ROLLOUT_POLICY("uniform", UniformRolloutPolicy::Create);
// in the policy's .cc registers it at static-initialization time; its cc_library needs
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

// NotFound, listing the registered names, for an unknown options.config.name().
absl::StatusOr<std::unique_ptr<RolloutPolicy>> CreateRolloutPolicy(
    const RolloutPolicyOptions& options);
// The rollout policies by name (base/registry.h).
Registry<RolloutPolicyFactory>& RolloutPolicies();

#define REGISTER_ROLLOUT_POLICY(name, factory) \
  ROMI_REGISTER(::romi::RolloutPolicies(), name, factory)

}  // namespace romi

#endif  // ROMI_ROMI_ROLLOUT_POLICY_REGISTRY_H_
