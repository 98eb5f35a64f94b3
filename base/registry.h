// One mechanism for everything the project registers by name at static initialization: tasks
// (envs/registry.h), learners (learners/learner_registry.h) and rollout policies
// (romi/rollout_policy_registry.h). A new entry is one file with one ROMI_REGISTER line.
//
//   Registry<LearnerFactory>& Learners() {  // constructed on first use: registrations run during
//     static auto* registry = new Registry<LearnerFactory>("learner", "link
//     //learners:all_learners"); return *registry;                     // the static initialization
//     of other files, in an
//   }                                       // unspecified order
//   ROMI_REGISTER(Learners(), "bcq", Bcq::Create);  // in bcq.cc, at namespace scope
//
// The registering file's cc_library needs alwayslink = 1, or the linker drops the registration.
#ifndef ROMI_BASE_REGISTRY_H_
#define ROMI_BASE_REGISTRY_H_

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace romi {

template <typename Entry>
class Registry {
 public:
  // `kind` names what is registered in messages ("task", "learner", "rollout policy");
  // `link_hint` says what to depend on, for the message when nothing is registered at all.
  Registry(std::string kind, std::string link_hint)
      : kind_(std::move(kind)), link_hint_(std::move(link_hint)) {}

  // Adds `entry` under `name`. One name registered twice is a programming error (two files
  // claiming it): it aborts with a message, so it cannot pass unnoticed. Returns true so that it
  // can initialize a namespace-scope constant.
  bool Register(const std::string& name, Entry entry) {
    absl::MutexLock lock(&mutex_);
    if (!entries_.emplace(name, std::move(entry)).second) {
      std::fprintf(stderr, "romi: %s '%s' registered twice\n", kind_.c_str(), name.c_str());
      std::abort();
    }
    return true;
  }

  // The entry of `name`, or NotFound listing the registered names. Entries are never removed, so
  // the pointer stays valid.
  absl::StatusOr<const Entry*> Find(absl::string_view name) const {
    absl::MutexLock lock(&mutex_);
    const auto it = entries_.find(name);
    if (it != entries_.end()) return &it->second;
    return absl::NotFoundError(absl::StrCat("unknown ", kind_, " '", name, "'; registered: ",
                                            entries_.empty()
                                                ? absl::StrCat("none (", link_hint_, ")")
                                                : absl::StrJoin(NamesLocked(), ", ")));
  }

  // The registered names, sorted.
  std::vector<std::string> Names() const {
    absl::MutexLock lock(&mutex_);
    return NamesLocked();
  }

 private:
  std::vector<std::string> NamesLocked() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : entries_) names.push_back(name);
    return names;
  }

  const std::string kind_;
  const std::string link_hint_;
  mutable absl::Mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

#define ROMI_REGISTRY_CONCAT_INNER_(a, b) a##b
#define ROMI_REGISTRY_CONCAT_(a, b) ROMI_REGISTRY_CONCAT_INNER_(a, b)
// Registers `entry` under `name` in `registry` (an expression giving a Registry&), at namespace
// scope in a .cc file.
#define ROMI_REGISTER(registry, name, entry)                            \
  static const bool ROMI_REGISTRY_CONCAT_(romi_registered_, __LINE__) = \
      (registry).Register(name, entry)

}  // namespace romi

#endif  // ROMI_BASE_REGISTRY_H_
