#include "envs/registry.h"

#include <utility>

#include "base/registry.h"
#include "base/status_macros.h"

namespace romi::envs {
namespace {

struct Entry {
  EnvSpec spec;
  EnvFactory factory;
};

Registry<Entry>& Tasks() {
  static auto* registry = new Registry<Entry>("task", "link //envs:all_envs");
  return *registry;
}

}  // namespace

bool RegisterTask(EnvSpec spec, EnvFactory factory) {
  const std::string name = spec.task;
  return Tasks().Register(name, Entry{std::move(spec), std::move(factory)});
}

absl::StatusOr<std::unique_ptr<Env>> MakeEnv(absl::string_view task) {
  ROMI_ASSIGN_OR_RETURN(const Entry* entry, Tasks().Find(task));
  return entry->factory(entry->spec);
}

absl::StatusOr<EnvSpec> FindSpec(absl::string_view task) {
  ROMI_ASSIGN_OR_RETURN(const Entry* entry, Tasks().Find(task));
  return entry->spec;
}

std::vector<std::string> RegisteredTasks() { return Tasks().Names(); }

}  // namespace romi::envs
