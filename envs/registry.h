// The task registry: D4RL task name -> EnvSpec and a factory for Env instances.
//
// Each simulator file registers its tasks from a namespace-scope initializer, e.g.
//   const bool kRegistered = RegisterTask(spec, &Factory);
// so its cc_library must set `alwayslink = 1`, or the linker drops the registration silently.
// Link //envs:all_envs to get every task.
#ifndef ROMI_ENVS_REGISTRY_H_
#define ROMI_ENVS_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/env.h"

namespace romi::envs {

using EnvFactory = std::function<absl::StatusOr<std::unique_ptr<Env>>(const EnvSpec& spec)>;

// Registers a task under spec.task. Meant for static initialization; returns true so that the
// result can initialize a constant. Registering the same name twice is a programming error and
// aborts with a message.
bool RegisterTask(EnvSpec spec, EnvFactory factory);

// A new environment for `task`; NotFoundError listing the registered names for an unknown task.
absl::StatusOr<std::unique_ptr<Env>> MakeEnv(absl::string_view task);

// The spec of `task` without building a simulator; NotFoundError as above.
absl::StatusOr<EnvSpec> FindSpec(absl::string_view task);

// All registered task names, sorted.
std::vector<std::string> RegisteredTasks();

}  // namespace romi::envs

#endif  // ROMI_ENVS_REGISTRY_H_
