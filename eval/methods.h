// The methods the suite compares, as RunConfigs built from a task's paper settings.
//
//   romi-bcq, romi-cql   reverse model + the task's rollout policy, imagined data mixed at eta
//   romi-rbc-bcq         romi-bcq with reverse behaviour cloning as the rollout policy (Table 4)
//   fomi-bcq, fomi-cql   the same with a forward model (the paper's FOMI ablation)
//   <method>@h<N>        a model-based method with rollout length N (Tables 10, 11), e.g.
//                        romi-bcq@h10; everything else as the method's
//   bcq, cql, bc         the model-free learners on the real data alone
// BCQ runs use batch 100 and 1e6 steps, CQL batch 256 and 1.5e6 steps, BC batch 256 and 1e6
// steps (ROMI_SPEC.md); a Budget then caps steps and model training for quick suites.
#ifndef ROMI_EVAL_METHODS_H_
#define ROMI_EVAL_METHODS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/suite.pb.h"
#include "romi/pipeline.pb.h"

namespace romi::eval {

// The registered method names, in report order.
const std::vector<std::string>& MethodNames();

// The run of `method` on `task` under `budget` (budget overrides applied last, after the task's
// own overrides; a @h<N> rollout length after those). NotFound listing the methods for an unknown
// name; InvalidArgument for a bad @h suffix or one on a model-free method.
absl::StatusOr<RunConfig> MethodRunConfig(const std::string& method, const TaskConfig& task,
                                          const Budget& budget, uint64_t seed);

// `budget` with every learner multiplying in `precision` ("fp32", "bf16" or "bf16-policy";
// learners/nn/precision.h): set in its overrides for every method and cleared from its per-learner
// settings, so the flag wins over what the budget file says. A non-fp32 budget is named
// "<name>-<precision>" (reports and default output directories say it) and its note says so; fp32
// leaves the name as it is. Model stages (dynamics, rollout policy, imagination) are fp32 either
// way. InvalidArgument naming anything else.
absl::StatusOr<Budget> WithLearnerPrecision(Budget budget, const std::string& precision);

// Reads `<configs_dir>/<task>.textproto`; NotFound naming the file when it is missing,
// InvalidArgument naming it when it does not parse or names another task.
absl::StatusOr<TaskConfig> LoadTaskConfig(const std::string& configs_dir, const std::string& task);

// Reads a text-format message of type T from `path`, with errors naming the file.
absl::StatusOr<Budget> LoadBudget(const std::string& path);
absl::StatusOr<PaperScores> LoadPaperScores(const std::string& path);

}  // namespace romi::eval

#endif  // ROMI_EVAL_METHODS_H_
