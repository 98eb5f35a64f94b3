#include "envs/registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

namespace romi::envs {
namespace {

struct Entry {
  EnvSpec spec;
  EnvFactory factory;
};

// Function-local statics: registrations run during static initialization of other translation
// units, in an unspecified order, so the table must be constructed on first use.
absl::Mutex& RegistryMutex() {
  static absl::Mutex* const mu = new absl::Mutex();
  return *mu;
}

std::map<std::string, Entry, std::less<>>& Registry() {
  static auto* const registry = new std::map<std::string, Entry, std::less<>>();
  return *registry;
}

absl::StatusOr<const Entry*> Find(absl::string_view task) {
  absl::MutexLock lock(&RegistryMutex());
  const auto& registry = Registry();
  auto it = registry.find(task);
  if (it != registry.end()) return &it->second;
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry) names.push_back(name);
  return absl::NotFoundError(absl::StrFormat("unknown task '%s'; registered tasks: %s", task,
                                             names.empty() ? "(none linked; depend on "
                                                             "//envs:all_envs)"
                                                           : absl::StrJoin(names, ", ")));
}

}  // namespace

bool RegisterTask(EnvSpec spec, EnvFactory factory) {
  absl::MutexLock lock(&RegistryMutex());
  std::string name = spec.task;
  auto [it, inserted] = Registry().emplace(name, Entry{std::move(spec), std::move(factory)});
  if (!inserted) {
    std::fprintf(stderr, "romi::envs: task '%s' registered twice\n", name.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Env>> MakeEnv(absl::string_view task) {
  absl::StatusOr<const Entry*> entry = Find(task);
  if (!entry.ok()) return entry.status();
  // Entries are never removed, so the pointer stays valid outside the lock.
  return (*entry)->factory((*entry)->spec);
}

absl::StatusOr<EnvSpec> FindSpec(absl::string_view task) {
  absl::StatusOr<const Entry*> entry = Find(task);
  if (!entry.ok()) return entry.status();
  return (*entry)->spec;
}

std::vector<std::string> RegisteredTasks() {
  absl::MutexLock lock(&RegistryMutex());
  std::vector<std::string> names;
  for (const auto& [name, entry] : Registry()) names.push_back(name);
  return names;
}

}  // namespace romi::envs
