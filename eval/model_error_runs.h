// The runs of a MODEL_ERROR experiment (the paper's Table 5): no policy, only the dynamics
// models. Per (task, seed) one seeded split of the task's dataset (the budget's size) into
// training rows and 10 % test rows; per direction an ensemble trained on the training rows with
// the task's dynamics settings under the budget (the ones romi-bcq and fomi-bcq train with),
// the direction the only difference; its elites' one-step MSE on the test rows
// (romi/one_step_error.h).
//
// Each run lives in <out>/model_error/<task>/<forward|reverse>/seed<k>/: config.textproto (the
// resolved dynamics settings; a rerun with other settings is a FailedPrecondition naming it),
// training.ckpt while the ensemble trains (resumed after an interruption) and result.textproto
// once done (a rerun reads it back instead of training).
#ifndef ROMI_EVAL_MODEL_ERROR_RUNS_H_
#define ROMI_EVAL_MODEL_ERROR_RUNS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/suite.pb.h"
#include "eval/suite_runner.h"

namespace romi::eval {

// The column names of a MODEL_ERROR experiment.
inline constexpr char kForwardModel[] = "forward-model";
inline constexpr char kReverseModel[] = "reverse-model";

// OK for kForwardModel and kReverseModel; InvalidArgument naming the two otherwise.
absl::Status CheckModelName(const std::string& model);

// Runs (or reads back) every (task, model, seed) of `options.tasks` x `models` x
// `options.seeds`, calling `on_result` with the results so far after each. InvalidArgument for a
// model name other than the two above; errors name the task, model and seed.
absl::StatusOr<std::vector<ModelErrorResult>> RunModelErrors(
    const SuiteOptions& options, const std::vector<std::string>& models,
    const std::function<absl::Status(const std::vector<ModelErrorResult>&)>& on_result);

}  // namespace romi::eval

#endif  // ROMI_EVAL_MODEL_ERROR_RUNS_H_
