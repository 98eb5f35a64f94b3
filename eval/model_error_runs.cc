#include "eval/model_error_runs.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "data/fingerprint.h"
#include "eval/methods.h"
#include "google/protobuf/text_format.h"
#include "romi/one_step_error.h"

namespace romi::eval {
namespace {

constexpr double kTestFraction = 0.1;

absl::StatusOr<ModelErrorResult> RunOneModel(const SuiteOptions& options, const TaskData& data,
                                             const std::string& task, const std::string& model,
                                             uint64_t seed) {
  const std::string dir =
      absl::StrCat(options.out_dir, "/model_error/", task, "/",
                   model == kForwardModel ? "forward" : "reverse", "/seed", seed);
  const std::string result_path = dir + "/result.textproto";
  ROMI_RETURN_IF_ERROR(CreateDirectories(dir));
  // A finished result or a training checkpoint is reused only for the data it was computed from.
  ROMI_RETURN_IF_ERROR(data::WriteOrCheckFingerprint(
      data::FingerprintOf(data.dataset.transitions(), data.source), data::FingerprintPath(dir)));
  // The settings romi-bcq trains its model with on this task under this budget; only the
  // direction differs between the two columns.
  ROMI_ASSIGN_OR_RETURN(const TaskConfig task_config, LoadTaskConfig(options.configs_dir, task));
  ROMI_ASSIGN_OR_RETURN(const RunConfig run,
                        MethodRunConfig("romi-bcq", task_config, options.budget, seed));
  DynamicsConfig config = run.dynamics();
  config.set_direction(model == kForwardModel ? FORWARD : REVERSE);
  FillDefaults(&config);
  // Checked before a finished result is read back: a result made under another budget in the
  // same directory is an error, never reported as this budget's; so is one with no settings to
  // check it by.
  const std::string config_path = dir + "/config.textproto";
  if (std::filesystem::exists(result_path) && !std::filesystem::exists(config_path)) {
    return absl::FailedPreconditionError(
        absl::StrCat(result_path,
                     " has no config.textproto beside it, so nothing says which "
                     "settings made it; delete the directory to measure it again"));
  }
  ROMI_RETURN_IF_ERROR(WriteOrCheckConfig(
      config, config_path, [](google::protobuf::Message* message) { FillDefaults(message); }));
  if (std::filesystem::exists(result_path)) {
    ModelErrorResult finished;
    ROMI_RETURN_IF_ERROR(ReadTextProto(result_path, &finished, absl::StatusCode::kDataLoss));
    return finished;
  }

  const auto start = std::chrono::steady_clock::now();
  // The split depends on the seed alone, so both directions test on the same rows.
  ROMI_ASSIGN_OR_RETURN(const TrainTestSplit split,
                        SplitTransitions(data.dataset.transitions(), kTestFraction, seed));
  DynamicsTrainingOptions training;
  training.checkpoint_path = dir + "/training.ckpt";
  if (options.progress) {
    training.progress = [&](const DynamicsEpoch& epoch) {
      std::fprintf(stderr, "%s %s seed %d: epoch %d, %d epochs without improvement\n", task.c_str(),
                   model.c_str(), static_cast<int>(seed), epoch.epoch,
                   epoch.epochs_without_improvement);
      return absl::OkStatus();
    };
  }
  ROMI_ASSIGN_OR_RETURN(const OneStepError error,
                        MeasureOneStepError(split, config, seed, training));
  ModelErrorResult result;
  result.set_task(task);
  result.set_model(model);
  result.set_seed(seed);
  result.set_test_mse(error.test_mse);
  for (const double mse : error.test_mse_per_dimension) result.add_test_mse_per_dimension(mse);
  result.set_holdout_mse(error.holdout_mse);
  result.set_epochs(error.training.epochs);
  result.set_train_rows(split.train.size());
  result.set_test_rows(split.test.size());
  result.set_dataset_source(data.source);
  result.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  std::string text;
  google::protobuf::TextFormat::PrintToString(result, &text);
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(result_path, text));
  std::error_code ignored;
  std::filesystem::remove(training.checkpoint_path, ignored);
  return result;
}

}  // namespace

absl::Status CheckModelName(const std::string& model) {
  if (model == kForwardModel || model == kReverseModel) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown model '", model, "'; known: ", kForwardModel, ", ", kReverseModel));
}

absl::StatusOr<std::vector<ModelErrorResult>> RunModelErrors(
    const SuiteOptions& options, const std::vector<std::string>& models,
    const std::function<absl::Status(const std::vector<ModelErrorResult>&)>& on_result) {
  for (const std::string& model : models) ROMI_RETURN_IF_ERROR(CheckModelName(model));
  std::vector<ModelErrorResult> results;
  for (const std::string& task : options.tasks) {
    ROMI_ASSIGN_OR_RETURN(const TaskData data,
                          options.datasets(task, options.budget.dataset_rows()));
    for (const uint64_t seed : options.seeds) {
      for (const std::string& model : models) {
        absl::StatusOr<ModelErrorResult> result = RunOneModel(options, data, task, model, seed);
        if (!result.ok()) {
          return absl::Status(
              result.status().code(),
              absl::StrFormat("%s %s seed %d: %s", task, model, seed, result.status().message()));
        }
        results.push_back(*std::move(result));
        if (on_result) ROMI_RETURN_IF_ERROR(on_result(results));
      }
    }
  }
  return results;
}

}  // namespace romi::eval
