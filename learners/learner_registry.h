// Learners by name. Each learner's .cc registers itself:
//
//   ROMI_REGISTER_LEARNER("bcq", Bcq::Create);
//
// and its cc_library has alwayslink = 1 (otherwise the linker drops the unreferenced registration).
// Depend on //learners:all_learners to get every learner.
//
// LearnerRegistry::Create(options) builds options.config.algorithm(); an unknown name is a
// NotFoundError listing the registered ones. The config's `params` oneof, when set, must be the
// field named like the algorithm (e.g. algorithm "cql" with cql { ... }), else InvalidArgument.
#ifndef ROMI_LEARNERS_LEARNER_REGISTRY_H_
#define ROMI_LEARNERS_LEARNER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/registry.h"
#include "learners/learner.h"

namespace romi::learners {

using LearnerFactory =
    std::function<absl::StatusOr<std::unique_ptr<Learner>>(const LearnerOptions& options)>;

// The learners by name (base/registry.h).
Registry<LearnerFactory>& Learners();

class LearnerRegistry {
 public:
  // Returns true so that it can initialize a static; a duplicate name aborts (a build error).
  static bool Register(const std::string& name, LearnerFactory factory) {
    return Learners().Register(name, std::move(factory));
  }
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);
  // Registered names, sorted.
  static std::vector<std::string> Names() { return Learners().Names(); }
};

#define ROMI_REGISTER_LEARNER(name, factory) \
  ROMI_REGISTER(::romi::learners::Learners(), name, factory)

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_LEARNER_REGISTRY_H_
