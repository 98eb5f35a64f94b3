#include "learners/learner_registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace romi::learners {
namespace {

std::map<std::string, LearnerFactory>& Factories() {
  static auto* factories = new std::map<std::string, LearnerFactory>();
  return *factories;
}

// The name of the `params` field that is set, or "" when none is.
std::string ParamsFieldName(const LearnerConfig& config) {
  const google::protobuf::OneofDescriptor* oneof =
      LearnerConfig::descriptor()->FindOneofByName("params");
  const google::protobuf::FieldDescriptor* field =
      config.GetReflection()->GetOneofFieldDescriptor(config, oneof);
  return field == nullptr ? "" : field->name();
}

}  // namespace

bool LearnerRegistry::Register(const std::string& name, LearnerFactory factory) {
  if (!Factories().emplace(name, std::move(factory)).second) {
    std::fprintf(stderr, "learner '%s' registered twice\n", name.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Learner>> LearnerRegistry::Create(const LearnerOptions& options) {
  const std::string& name = options.config.algorithm();
  const auto it = Factories().find(name);
  if (it == Factories().end()) {
    return absl::NotFoundError(absl::StrCat("unknown learner '", name,
                                            "' (registered: ", absl::StrJoin(Names(), ", "), ")"));
  }
  const std::string params = ParamsFieldName(options.config);
  if (!params.empty() && params != name) {
    return absl::InvalidArgumentError(absl::StrCat("learner '", name, "' given '", params,
                                                   "' parameters; set ", name, " { ... } instead"));
  }
  return it->second(options);
}

std::vector<std::string> LearnerRegistry::Names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Factories()) names.push_back(name);
  return names;
}

}  // namespace romi::learners
