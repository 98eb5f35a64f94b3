#include "eval/suite_runner.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "envs/registry.h"
#include "eval/evaluator.h"
#include "eval/methods.h"
#include "eval/model_fidelity.h"
#include "eval/report.h"
#include "eval/trajectory_discrepancy.h"
#include "google/protobuf/text_format.h"
#include "romi/base/atomic_file.h"
#include "romi/base/progress_bar.h"
#include "romi/base/status_macros.h"
#include "romi/base/text_proto.h"
#include "romi/pipeline.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<RunResult> ReadRunResult(const std::string& path) {
  RunResult result;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &result, absl::StatusCode::kDataLoss));
  return result;
}

absl::Status WriteRunResult(const RunResult& result, const std::string& path) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(result, &text);
  return WriteStringAtomically(path, text);
}

uint64_t EvaluationSeed(uint64_t seed, int64_t step) {
  return seed * 1000003ULL + static_cast<uint64_t>(step) * 7919ULL + 17;
}

class RunContext {
 public:
  RunContext(const SuiteOptions& options, const std::string& task, const std::string& method,
             uint64_t seed, const TaskData& data, const envs::EnvSpec& spec)
      : options_(options), task_(task), method_(method), seed_(seed), data_(data), spec_(spec) {
    run_dir_ = (fs::path(options.out_dir) / "runs" / task / method / absl::StrCat("seed", seed))
                   .string();
  }

  absl::StatusOr<RunResult> Run() {
    const std::string result_path = run_dir_ + "/result.textproto";
    if (fs::exists(result_path)) return ReadRunResult(result_path);
    const auto start = std::chrono::steady_clock::now();
    ROMI_ASSIGN_OR_RETURN(const TaskConfig task_config,
                          LoadTaskConfig(options_.configs_dir, task_));
    ROMI_ASSIGN_OR_RETURN(RunConfig config,
                          MethodRunConfig(method_, task_config, options_.budget, seed_));
    if (options_.learner_steps > 0) config.set_learner_steps(options_.learner_steps);
    total_steps_ = config.learner_steps();

    const std::string curve_path = run_dir_ + "/curve.textproto";
    RunResult result;
    if (fs::exists(curve_path)) {
      ROMI_ASSIGN_OR_RETURN(result, ReadRunResult(curve_path));
    }
    result.set_task(task_);
    result.set_method(method_);
    result.set_seed(seed_);
    result.set_dataset_source(data_.source);
    result.set_run_dir(run_dir_);

    // One bar per pipeline stage, replaced when the stage changes.
    std::unique_ptr<ProgressBar> bar;
    std::string bar_stage;
    PipelineHooks hooks;
    // Every stage's log lines (model epochs, learner losses, evaluations) go to log.txt in the
    // run directory, appended across resumes: the record a researcher reads after the bars are
    // gone.
    std::error_code dir_error;
    fs::create_directories(run_dir_, dir_error);
    if (dir_error) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create run directory ", run_dir_, ": ", dir_error.message()));
    }
    std::ofstream log(run_dir_ + "/log.txt", std::ios::app);
    auto write_log = [&log](const std::string& stage, const std::string& message) {
      const std::time_t now = std::time(nullptr);
      char stamp[32];
      std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
      log << stamp << " [" << stage << "] " << message << std::endl;
    };
    hooks.log = write_log;
    log_ = write_log;
    if (options_.progress) {
      hooks.progress = [&](const std::string& stage, int64_t done, int64_t total) {
        if (bar == nullptr || stage != bar_stage) {
          bar.reset();  // finishes the previous stage's line first
          bar = std::make_unique<ProgressBar>(
              absl::StrFormat("[%s %s seed %d] %s", task_, method_, seed_, stage), total);
          bar_stage = stage;
        }
        bar->Update(done);
      };
    }
    absl::Status evaluation_status;
    hooks.on_checkpoint = [&](int64_t step, learners::Learner& learner) {
      if (!evaluation_status.ok()) return;
      absl::StatusOr<Evaluation> evaluation = EvaluateAt(step, learner);
      if (!evaluation.ok()) {
        evaluation_status = evaluation.status();
        return;
      }
      // A run resumed after a crash between evaluation and checkpoint evaluates a step again.
      auto* curve = result.mutable_curve();
      for (int i = curve->size() - 1; i >= 0; --i) {
        if (curve->Get(i).step() == step) curve->DeleteSubrange(i, 1);
      }
      *result.add_curve() = *evaluation;
      write_log("evaluation", absl::StrFormat("step %d, score %.1f +- %.1f over %d episodes", step,
                                              evaluation->score_mean(), evaluation->score_std(),
                                              evaluation->episodes()));
      evaluation_status = WriteRunResult(result, curve_path);
    };
    const absl::StatusOr<std::unique_ptr<learners::Learner>> learner =
        RunPipeline(data_.dataset, spec_.termination, spec_.action_high.at(0), config, run_dir_,
                    hooks);
    bar.reset();
    if (!learner.ok()) return learner.status();
    ROMI_RETURN_IF_ERROR(evaluation_status);
    if (result.curve_size() == 0 || result.curve().rbegin()->step() != total_steps_) {
      return absl::InternalError(absl::StrCat(run_dir_, ": the run finished without an evaluation "
                                              "of its final policy (see ", curve_path, ")"));
    }
    *result.mutable_final() = *result.curve().rbegin();
    // The same check on the real data is the baseline: it shows what the dataset's own reward
    // convention differs by (maze2d's rewards are labelled on the earlier state, as D4RL's).
    ROMI_ASSIGN_OR_RETURN(*result.mutable_real_data(),
                          Fidelity(data_.dataset.transitions(), "real"));
    const std::string buffer_path = run_dir_ + "/model_buffer.pt";
    if (fs::exists(buffer_path)) {
      const data::Dataset& dataset = data_.dataset;
      ROMI_ASSIGN_OR_RETURN(const data::Transitions buffer,
                            LoadTransitions(buffer_path, dataset.obs_dim(), dataset.act_dim()));
      ROMI_ASSIGN_OR_RETURN(*result.mutable_model_data(), Fidelity(buffer, "imagined"));
    }
    result.set_wall_seconds(
        result.wall_seconds() +
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    ROMI_RETURN_IF_ERROR(WriteRunResult(result, result_path));
    return result;
  }

 private:
  // Replays a fixed sample of `table` in the simulator (the error is an average) and logs it.
  absl::StatusOr<ModelDataFidelity> Fidelity(const data::Transitions& table,
                                             const std::string& what) {
    constexpr int64_t kRows = 10000;
    ROMI_ASSIGN_OR_RETURN(const ModelDataFidelity out,
                          ReplayInSimulator(task_, table, kRows, seed_));
    Log("fidelity",
        absl::StrFormat("%d %s transitions replayed in the simulator: next-state MSE %.4g, "
                        "relative error %.4g, reward MAE %.4g, mean reward %.4g (simulator %.4g)",
                        out.rows(), what, out.next_state_mse(), out.relative_error(),
                        out.reward_mae(), out.table_reward_mean(), out.simulator_reward_mean()));
    return out;
  }

  void Log(const std::string& stage, const std::string& message) {
    if (log_) log_(stage, message);
  }

  absl::StatusOr<Evaluation> EvaluateAt(int64_t step, learners::Learner& learner) {
    EvaluationOptions eval_options;
    eval_options.episodes = options_.budget.eval_episodes();
    eval_options.seed = EvaluationSeed(seed_, step);
    eval_options.threads = options_.eval_threads;
    // The final policy's visited states are kept for the trajectory discrepancy.
    eval_options.record_states = step == total_steps_;
    ROMI_ASSIGN_OR_RETURN(
        const EvaluationReport report,
        Evaluate(task_,
                 [&learner](const torch::Tensor& obs) { return learner.Act(obs, true); },
                 eval_options));
    Evaluation evaluation;
    evaluation.set_step(step);
    evaluation.set_return_mean(report.ReturnMean());
    evaluation.set_return_std(report.ReturnStd());
    evaluation.set_score_mean(report.ScoreMean());
    evaluation.set_score_std(report.ScoreStd());
    evaluation.set_episodes(static_cast<int>(report.returns.size()));
    if (eval_options.record_states) {
      ROMI_ASSIGN_OR_RETURN(const double discrepancy,
                            AverageTrajectoryDiscrepancy(report.trajectories,
                                                         data_.dataset.transitions().observations));
      evaluation.set_trajectory_discrepancy(discrepancy);
    }
    return evaluation;
  }

  const SuiteOptions& options_;
  const std::string task_;
  const std::string method_;
  const uint64_t seed_;
  const TaskData& data_;
  const envs::EnvSpec& spec_;
  std::string run_dir_;
  int64_t total_steps_ = 0;
  std::function<void(const std::string&, const std::string&)> log_;  // log.txt, during Run()
};

}  // namespace

DatasetProvider DatasetSourceProvider(data::DatasetRequest request) {
  return [request](const std::string& task, int64_t rows) -> absl::StatusOr<TaskData> {
    data::DatasetRequest task_request = request;
    task_request.task = task;
    task_request.rows = rows;
    ROMI_ASSIGN_OR_RETURN(const data::ResolvedDataset resolved,
                          data::ResolveDataset(task_request));
    ROMI_ASSIGN_OR_RETURN(data::Dataset dataset,
                          data::Dataset::FromD4rlFile(resolved.file, data::DatasetOptions(),
                                                      resolved.description));
    return TaskData{std::move(dataset), resolved.description};
  };
}

absl::StatusOr<SuiteResults> RunSuite(const SuiteOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.tasks.empty() || options.methods.empty() || options.seeds.empty()) {
    return absl::InvalidArgumentError("the suite needs at least one task, method and seed");
  }
  if (options.budget.eval_episodes() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("budget '", options.budget.name(),
                                                   "': eval_episodes must be positive"));
  }
  // Fail on a misspelt task or method before hours of training.
  for (const std::string& task : options.tasks) {
    ROMI_RETURN_IF_ERROR(envs::FindSpec(task).status());
    ROMI_RETURN_IF_ERROR(LoadTaskConfig(options.configs_dir, task).status());
  }
  for (const std::string& method : options.methods) {
    ROMI_RETURN_IF_ERROR(
        MethodRunConfig(method, TaskConfig(), options.budget, 0).status());
  }
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", options.out_dir, ": ", error.message()));
  }

  SuiteResults results;
  results.set_budget(options.budget.name());
  for (const std::string& task : options.tasks) {
    ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
    ROMI_ASSIGN_OR_RETURN(const TaskData data,
                          options.datasets(task, options.budget.dataset_rows()));
    if (options.progress) {
      std::fprintf(stderr, "%s: %lld transitions from %s\n", task.c_str(),
                   static_cast<long long>(data.dataset.size()), data.source.c_str());
    }
    for (const std::string& method : options.methods) {
      for (const uint64_t seed : options.seeds) {
        absl::StatusOr<RunResult> run = RunContext(options, task, method, seed, data, spec).Run();
        if (!run.ok()) {
          return absl::Status(run.status().code(),
                              absl::StrFormat("%s %s seed %d: %s", task, method, seed,
                                              run.status().message()));
        }
        if (options.progress) {
          std::fprintf(stderr, "%s %s seed %d: normalized score %.1f ± %.1f (%.0f s)\n",
                       task.c_str(), method.c_str(), static_cast<int>(seed),
                       run->final().score_mean(), run->final().score_std(), run->wall_seconds());
        }
        *results.add_run() = *std::move(run);
      }
    }
  }
  results.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  ROMI_RETURN_IF_ERROR(WriteReport(results, options.paper, options.methods, options.out_dir));
  return results;
}

}  // namespace romi::eval
