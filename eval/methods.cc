#include "eval/methods.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "learners/learners.pb.h"
#include "learners/precision_name.h"

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
  const char* rollout_policy = nullptr;  // null: the task's (Table 7)
};

const std::vector<Method>& Methods() {
  static const auto* methods = new std::vector<Method>{
      {"romi-bcq", kBcq, true, REVERSE},
      // Table 4's ablation: reverse behaviour cloning (Eq. 4) instead of the diverse rollout
      // policy.
      {"romi-rbc-bcq", kBcq, true, REVERSE, "reverse-bc"},
      {"fomi-bcq", kBcq, true, FORWARD},
      {"bcq", kBcq, false, REVERSE},
      {"romi-cql", kCql, true, REVERSE},
      {"fomi-cql", kCql, true, FORWARD},
      {"cql", kCql, false, REVERSE},
      {"bc", kBc, false, REVERSE},
  };
  return *methods;
}

// "<method>@h<N>": the method with rollout length N (Tables 10 and 11), every other setting kept.
struct MethodVariant {
  const Method* method = nullptr;
  int rollout_length = 0;  // 0: the task's
};

absl::StatusOr<MethodVariant> ParseMethod(const std::string& name) {
  const size_t at = name.find("@h");
  const std::string base = name.substr(0, at);
  MethodVariant variant;
  for (const Method& candidate : Methods()) {
    if (candidate.name == base) variant.method = &candidate;
  }
  if (variant.method == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown method '", name,
                                            "'; known: ", absl::StrJoin(MethodNames(), ", "),
                                            ", each model-based one also as <method>@h<length>"));
  }
  if (at == std::string::npos) return variant;
  const std::string length = name.substr(at + 2);
  if (!variant.method->use_model || !absl::SimpleAtoi(length, &variant.rollout_length) ||
      variant.rollout_length < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method '", name, "': @h takes a rollout length >= 1 and a model-based method (", base,
        variant.method->use_model ? "" : " imagines nothing", ")"));
  }
  return variant;
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
  ROMI_ASSIGN_OR_RETURN(const MethodVariant variant, ParseMethod(method_name));
  const Method* method = variant.method;
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
    config.mutable_rollout_policy()->set_name(
        method->rollout_policy != nullptr ? method->rollout_policy : task.rollout_policy());
    config.mutable_rollout_policy()->set_skip_terminals(!task.models_use_terminals());
    config.mutable_dynamics()->set_skip_terminals(!task.models_use_terminals());
    config.mutable_imagination()->set_skip_terminal_starts(!task.models_use_terminals());
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
  if (variant.rollout_length > 0) {
    config.mutable_imagination()->set_rollout_length(variant.rollout_length);
  }
  return config;
}

absl::StatusOr<Budget> WithLearnerPrecision(Budget budget, const std::string& precision) {
  ROMI_ASSIGN_OR_RETURN(const learners::Precision parsed, learners::ParsePrecision(precision));
  budget.mutable_overrides()->mutable_learner()->set_precision(parsed);
  for (learners::LearnerConfig& learner : *budget.mutable_learners()) learner.clear_precision();
  if (parsed == learners::FP32) return budget;
  budget.set_name(absl::StrCat(budget.name(), "-", precision));
  budget.set_note(absl::StrCat(
      budget.note(), budget.note().empty() ? "" : " ",
      parsed == learners::BF16
          ? "The learners multiply in bfloat16 (fp32 master weights and optimizer state)"
          : "The learners' policies, actors and VAEs multiply in bfloat16, their critics in fp32 "
            "(fp32 master weights and optimizer state)",
      "; the model stages are fp32."));
  return budget;
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
