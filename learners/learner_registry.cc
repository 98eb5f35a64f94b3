#include "learners/learner_registry.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace romi::learners {
namespace {

// The name of the `params` field that is set, or "" when none is.
std::string ParamsFieldName(const LearnerConfig& config) {
  const google::protobuf::OneofDescriptor* oneof =
      LearnerConfig::descriptor()->FindOneofByName("params");
  const google::protobuf::FieldDescriptor* field =
      config.GetReflection()->GetOneofFieldDescriptor(config, oneof);
  return field == nullptr ? "" : field->name();
}

}  // namespace

Registry<LearnerFactory>& Learners() {
  static auto* registry = new Registry<LearnerFactory>("learner", "link //learners:all_learners");
  return *registry;
}

absl::StatusOr<std::unique_ptr<Learner>> LearnerRegistry::Create(const LearnerOptions& options) {
  const std::string& name = options.config.algorithm();
  ROMI_ASSIGN_OR_RETURN(const LearnerFactory* factory, Learners().Find(name));
  const std::string params = ParamsFieldName(options.config);
  if (!params.empty() && params != name) {
    return absl::InvalidArgumentError(absl::StrCat("learner '", name, "' given '", params,
                                                   "' parameters; set ", name, " { ... } instead"));
  }
  LearnerOptions resolved = options;
  FillDefaultWidths(&resolved.config);
  return (*factory)(resolved);
}

}  // namespace romi::learners
