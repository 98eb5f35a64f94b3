#include "eval/methods.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/text_proto.h"

namespace romi::eval {
namespace {

// Each learner's batch size and step count at the paper's budget (ROMI_SPEC.md).
struct LearnerSettings {
  const char* algorithm;  // registered learner name
  int64_t batch_size;
  int64_t steps;
};
constexpr LearnerSettings kBcq{"bcq", 100, 1000000};
constexpr LearnerSettings kCql{"cql", 256, 1500000};
constexpr LearnerSettings kBc{"bc", 256, 1000000};

struct Method {
  std::string name;
  LearnerSettings learner;
  bool use_model;
  Direction direction;
};

const std::vector<Method>& Methods() {
  static const auto* methods = new std::vector<Method>{
      {"romi-bcq", kBcq, true, REVERSE}, {"fomi-bcq", kBcq, true, FORWARD},
      {"bcq", kBcq, false, REVERSE},     {"romi-cql", kCql, true, REVERSE},
      {"fomi-cql", kCql, true, FORWARD}, {"cql", kCql, false, REVERSE},
      {"bc", kBc, false, REVERSE},
  };
  return *methods;
}

}  // namespace

const std::vector<std::string>& MethodNames() {
  static const auto* names = [] {
    auto* names = new std::vector<std::string>;
    for (const Method& method : Methods()) names->push_back(method.name);
    return names;
  }();
  return *names;
}

absl::StatusOr<RunConfig> MethodRunConfig(const std::string& method_name, const TaskConfig& task,
                                          const Budget& budget, uint64_t seed) {
  const Method* method = nullptr;
  for (const Method& candidate : Methods()) {
    if (candidate.name == method_name) method = &candidate;
  }
  if (method == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown method '", method_name,
                                            "'; known: ", absl::StrJoin(MethodNames(), ", ")));
  }
  RunConfig config;
  config.set_task(task.task());
  config.set_seed(seed);
  config.set_use_model(method->use_model);
  config.mutable_learner()->set_algorithm(method->learner.algorithm);
  config.set_batch_size(method->learner.batch_size);
  config.set_learner_steps(method->learner.steps);
  config.set_checkpoint_every(5000);
  if (method->use_model) {
    config.mutable_dynamics()->set_direction(method->direction);
    config.mutable_rollout_policy()->set_name(task.rollout_policy());
    config.mutable_rollout_policy()->set_skip_terminals(!task.rollout_policy_uses_terminals());
    config.mutable_imagination()->set_rollout_length(task.rollout_length());
    config.mutable_imagination()->set_return_priority(task.return_priority());
    config.set_model_fraction(task.model_fraction());
    config.set_real_return_priority(task.return_priority());
  } else {
    config.set_model_fraction(0);
  }
  config.MergeFrom(task.overrides());
  config.MergeFrom(budget.overrides());
  for (const learners::LearnerConfig& learner : budget.learners()) {
    if (learner.algorithm() == method->learner.algorithm)
      config.mutable_learner()->MergeFrom(learner);
  }
  // The budget must not turn a model-free baseline into a model-based one or vice versa.
  config.set_use_model(method->use_model);
  if (!method->use_model) config.set_model_fraction(0);
  return config;
}

absl::StatusOr<TaskConfig> LoadTaskConfig(const std::string& configs_dir, const std::string& task) {
  const std::string path = absl::StrCat(configs_dir, "/", task, ".textproto");
  TaskConfig config;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &config));
  if (config.task() != task) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": names task '", config.task(), "', expected '", task, "'"));
  }
  return config;
}

absl::StatusOr<Budget> LoadBudget(const std::string& path) {
  Budget budget;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &budget));
  return budget;
}

absl::StatusOr<PaperScores> LoadPaperScores(const std::string& path) {
  PaperScores paper;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &paper));
  return paper;
}

}  // namespace romi::eval
