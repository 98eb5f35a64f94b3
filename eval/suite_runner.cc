#include "eval/suite_runner.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/event_file.h"
#include "base/file_lock.h"
#include "base/progress_bar.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "base/subprocess.h"
#include "base/text_proto.h"
#include "data/fingerprint.h"
#include "envs/registry.h"
#include "eval/evaluation_protocol.h"
#include "eval/evaluator.h"
#include "eval/maze_picture.h"
#include "eval/methods.h"
#include "eval/model_fidelity.h"
#include "eval/report.h"
#include "eval/trajectory_discrepancy.h"
#include "google/protobuf/text_format.h"
#include "romi/imagination.h"
#include "romi/pipeline.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<RunResult> ReadRunResult(const std::string& path) {
  RunResult result;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &result, absl::StatusCode::kDataLoss));
  return result;
}

// A finished run's result.textproto, its curve summary filled in (files written before the
// summary existed lack it).
absl::StatusOr<RunResult> ReadFinishedRun(const std::string& path) {
  ROMI_ASSIGN_OR_RETURN(RunResult result, ReadRunResult(path));
  SummarizeCurve(&result);
  return result;
}

absl::Status WriteRunResult(const RunResult& result, const std::string& path) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(result, &text);
  return WriteStringAtomically(path, text);
}

// The lock on `path`, or an error that says what holding it means (`meaning`, e.g. "this run is
// being trained") and what to do.
absl::StatusOr<std::unique_ptr<FileLock>> LockOrExplain(const std::string& path,
                                                        const std::string& meaning) {
  absl::StatusOr<std::unique_ptr<FileLock>> lock = FileLock::TryAcquire(path);
  if (lock.status().code() != absl::StatusCode::kFailedPrecondition) return lock;
  return absl::FailedPreconditionError(
      absl::StrCat(lock.status().message(), ": ", meaning,
                   " by another process; wait for it to finish, or use another --out"));
}

// The run's pipeline settings: the method's under the budget, for the task, with the suite's
// learner-step override.
absl::StatusOr<RunConfig> SuiteRunConfig(const SuiteOptions& options, const std::string& task,
                                         const std::string& method, uint64_t seed) {
  ROMI_ASSIGN_OR_RETURN(const TaskConfig task_config, LoadTaskConfig(options.configs_dir, task));
  ROMI_ASSIGN_OR_RETURN(RunConfig config,
                        MethodRunConfig(method, task_config, options.budget, seed));
  if (options.learner_steps > 0) config.set_learner_steps(options.learner_steps);
  return config;
}

class RunContext {
 public:
  RunContext(const SuiteOptions& options, const std::string& task, const std::string& method,
             uint64_t seed, const TaskData& data, const envs::EnvSpec& spec)
      : options_(options), task_(task), method_(method), seed_(seed), data_(data), spec_(spec) {
    run_dir_ = RunDirectory(options.out_dir, task, method, seed);
  }

  absl::StatusOr<RunResult> Run() {
    start_ = std::chrono::steady_clock::now();
    ROMI_ASSIGN_OR_RETURN(const RunConfig config, SuiteRunConfig(options_, task_, method_, seed_));
    total_steps_ = config.learner_steps();
    forward_model_ = config.dynamics().direction() == FORWARD;
    imagination_ = config.imagination();
    critic_discount_ = learners::CriticDiscount(config.learner()).value_or(0);
    curve_path_ = run_dir_ + "/curve.textproto";
    result_path_ = run_dir_ + "/result.textproto";

    ROMI_ASSIGN_OR_RETURN(const std::optional<RunResult> finished, FinishedRun(config));
    if (finished.has_value()) return *finished;
    ROMI_RETURN_IF_ERROR(CreateDirectories(run_dir_));
    // Two processes training one run directory would corrupt each other's checkpoints.
    ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<FileLock> lock,
                          LockOrExplain(run_dir_ + "/run.lock", "this run is being trained"));
    // What a killed process of this run was writing when it died: never renamed, never read.
    RemoveStaleTemporaries(run_dir_, /*recursive=*/true);
    if (fs::exists(curve_path_)) {
      ROMI_ASSIGN_OR_RETURN(result_, ReadRunResult(curve_path_));
    }
    earlier_seconds_ = result_.wall_seconds();
    result_.set_task(task_);
    result_.set_method(method_);
    result_.set_seed(seed_);
    result_.set_dataset_source(data_.source);
    result_.set_run_dir(run_dir_);
    OpenLog();

    ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<learners::Learner> learner, Train(config));
    ROMI_RETURN_IF_ERROR(Summarize(*learner));
    return result_;
  }

 private:
  // The run's result when it is finished at the asked number of steps; nothing when it is to be
  // trained (new, interrupted, or finished with fewer steps: then it is extended from its last
  // checkpoint); FailedPrecondition when it holds more steps than asked.
  absl::StatusOr<std::optional<RunResult>> FinishedRun(const RunConfig& config) const {
    if (!fs::exists(result_path_)) return std::nullopt;
    // A result made with other settings (another budget or precision in this --out) is no answer
    // to this run: the error names the file and the settings it was made with.
    ROMI_RETURN_IF_ERROR(CheckRunConfig(config, run_dir_));
    // Nor is a result computed from other data (the pipeline checks the same, under the run's
    // lock, when it resumes; only there is a run's fingerprint written).
    ROMI_RETURN_IF_ERROR(
        data::CheckFingerprint(data::FingerprintOf(data_.dataset.transitions(), data_.source),
                               data::FingerprintPath(run_dir_)));
    ROMI_ASSIGN_OR_RETURN(const RunResult finished, ReadFinishedRun(result_path_));
    if (finished.final().step() == total_steps_) return finished;
    if (finished.final().step() > total_steps_) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "%s holds a run trained to %d learner steps, more than the %d asked for; ask for %d "
          "or use another output directory",
          run_dir_, finished.final().step(), total_steps_, finished.final().step()));
    }
    return std::nullopt;
  }

  // Every stage's log lines (model epochs, learner losses, evaluations) go to log.txt in the run
  // directory, appended across resumes: the record a researcher reads after the bars are gone.
  void OpenLog() {
    log_file_.open(run_dir_ + "/log.txt", std::ios::app);
    log_ = [this](const std::string& stage, const std::string& message) {
      const std::time_t now = std::time(nullptr);
      char stamp[32];
      std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
      log_file_ << stamp << " [" << stage << "] " << message << std::endl;
    };
  }

  // Wall time accumulates over resumes: curve.textproto carries it to the last evaluation.
  void UpdateWallTime() {
    result_.set_wall_seconds(
        earlier_seconds_ +
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }

  // The pipeline, with a progress bar per stage and an evaluation at every checkpoint; returns the
  // final learner.
  absl::StatusOr<std::unique_ptr<learners::Learner>> Train(const RunConfig& config) {
    std::unique_ptr<ProgressBar> bar;  // one per pipeline stage, replaced when the stage changes
    std::string bar_stage;
    PipelineHooks hooks;
    hooks.log = log_;
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
    hooks.on_checkpoint = [this](int64_t step, learners::Learner& learner) {
      return OnCheckpoint(step, learner);
    };
    // TensorBoard curves in the run directory (`tensorboard --logdir <out>/runs`).
    ROMI_ASSIGN_OR_RETURN(EventFile events, EventFile::Open(run_dir_));
    events_ = std::make_unique<EventFile>(std::move(events));
    hooks.scalar = [this](const std::string& tag, int64_t step, double value) {
      return events_->AddScalar(tag, step, value);
    };
    absl::StatusOr<std::unique_ptr<learners::Learner>> learner =
        RunPipeline(data_.dataset, spec_.termination, spec_.action_high.at(0), config, run_dir_,
                    hooks, /*faults=*/{}, options_.shared_stage_dir);
    bar.reset();
    if (!learner.ok()) return learner.status();
    if (result_.final().step() != total_steps_) {
      return absl::InternalError(absl::StrCat(run_dir_,
                                              ": the run finished without an evaluation "
                                              "of its final policy (see ",
                                              curve_path_, ")"));
    }
    return learner;
  }

  // Evaluates the checkpoint's policy (and the last one's again on the final evaluation's
  // episodes) and writes the curve so far.
  absl::Status OnCheckpoint(int64_t step, learners::Learner& learner) {
    ROMI_ASSIGN_OR_RETURN(
        const Evaluation evaluation,
        EvaluateAt(step, learner,
                   CheckpointEvaluation(options_.budget, seed_, options_.eval_threads)));
    // A run resumed after a crash between evaluation and checkpoint evaluates a step again.
    auto* curve = result_.mutable_curve();
    for (int i = curve->size() - 1; i >= 0; --i) {
      if (curve->Get(i).step() == step) curve->DeleteSubrange(i, 1);
    }
    *result_.add_curve() = evaluation;
    ROMI_RETURN_IF_ERROR(events_->AddScalar("eval/score", step, evaluation.score_mean()));
    ROMI_RETURN_IF_ERROR(events_->AddScalar("eval/return", step, evaluation.return_mean()));
    Log("evaluation",
        absl::StrFormat("step %d, score %.1f +- %.1f over %d episodes", step,
                        evaluation.score_mean(), evaluation.score_std(), evaluation.episodes()));
    if (step == total_steps_) {
      // The final policy on more episodes; kept in curve.textproto too, so a run that dies after
      // its last checkpoint is written does not lose it.
      ROMI_ASSIGN_OR_RETURN(
          *result_.mutable_final(),
          EvaluateAt(step, learner,
                     FinalEvaluation(options_.budget, seed_, options_.eval_threads)));
      const Evaluation& final_evaluation = result_.final();
      Log("evaluation",
          absl::StrFormat("final policy at step %d, score %.1f +- %.1f over %d episodes", step,
                          final_evaluation.score_mean(), final_evaluation.score_std(),
                          final_evaluation.episodes()));
      ROMI_RETURN_IF_ERROR(
          events_->AddScalar("eval/final_score", step, final_evaluation.score_mean()));
      ROMI_RETURN_IF_ERROR(WriteFinalPaths(final_trajectories_));
    }
    UpdateWallTime();
    return WriteRunResult(result_, curve_path_);
  }

  // The curve statistics and the model-fidelity checks (with the final critic's values of the same
  // rows), then result.textproto.
  absl::Status Summarize(learners::Learner& learner) {
    SummarizeCurve(&result_);
    result_.set_threads(torch::get_num_threads());
    // The same check on the real data is the baseline: it shows what the dataset's own reward
    // convention differs by (maze2d's rewards are labelled on the earlier state, as D4RL's).
    ROMI_ASSIGN_OR_RETURN(*result_.mutable_real_data(),
                          Fidelity(data_.dataset.transitions(), "real", learner));
    const std::string buffer_path = run_dir_ + "/model_buffer.pt";
    if (fs::exists(buffer_path)) {
      const data::Dataset& dataset = data_.dataset;
      ROMI_ASSIGN_OR_RETURN(const data::Transitions buffer,
                            LoadTransitions(buffer_path, dataset.obs_dim(), dataset.act_dim()));
      ROMI_ASSIGN_OR_RETURN(*result_.mutable_model_data(), Fidelity(buffer, "imagined", learner));
      ROMI_RETURN_IF_ERROR(WriteMazePoints(&buffer));
    } else {
      ROMI_RETURN_IF_ERROR(WriteMazePoints(nullptr));
    }
    UpdateWallTime();
    return WriteRunResult(result_, result_path_);
  }

  // For the maze pictures (eval/maze_picture.h): maze_points.csv, "kind,episode,x,y" rows of
  // observation dimensions 0 and 1 (the position in maze2d and antmaze): "data", an evenly spaced
  // sample of the dataset's states; "imagined", the same of the states the model generated (the
  // earlier state of a reverse rollout, the later of a forward one); "rollout", the first rollouts
  // of imagination's first round, each from its dataset state outwards (episode = rollout).
  absl::Status WriteMazePoints(const data::Transitions* imagined) {
    if (!IsMazeDomain(spec_.domain)) return absl::OkStatus();
    constexpr int64_t kSample = 3000;
    constexpr int64_t kRollouts = 20;
    std::string csv = "kind,episode,x,y\n";
    const auto sample = [&csv](const char* kind, const torch::Tensor& states) {
      const int64_t stride = std::max<int64_t>(1, states.size(0) / kSample);
      const torch::Tensor xy = states.slice(0, 0, states.size(0), stride)
                                   .slice(1, 0, 2)
                                   .to(torch::kFloat32)
                                   .contiguous();
      const auto rows = xy.accessor<float, 2>();
      for (int64_t i = 0; i < xy.size(0); ++i) {
        absl::StrAppendFormat(&csv, "%s,0,%.4f,%.4f\n", kind, rows[i][0], rows[i][1]);
      }
    };
    sample("data", data_.dataset.transitions().observations);
    if (imagined != nullptr) {
      sample("imagined", forward_model_ ? imagined->next_observations : imagined->observations);
      // The dataset end of a rollout is its first row's later state (reverse) or earlier (forward).
      const torch::Tensor& touching =
          forward_model_ ? imagined->observations : imagined->next_observations;
      const torch::Tensor& imagined_end =
          forward_model_ ? imagined->next_observations : imagined->observations;
      const std::vector<std::vector<int64_t>> rollouts =
          FirstRoundRollouts(*imagined, imagination_, kRollouts);
      for (size_t r = 0; r < rollouts.size(); ++r) {
        const auto point = [&](const torch::Tensor& states, int64_t row) {
          absl::StrAppendFormat(&csv, "rollout,%d,%.4f,%.4f\n", r, states[row][0].item<float>(),
                                states[row][1].item<float>());
        };
        point(touching, rollouts[r].front());
        for (const int64_t row : rollouts[r]) point(imagined_end, row);
      }
    }
    return WriteStringAtomically(run_dir_ + "/maze_points.csv", csv);
  }

  // The maze pictures' "final" rows (final_paths.csv, as maze_points.csv): every state of the final
  // evaluation's first episodes, in order. Written beside the final evaluation's result, so that a
  // run resumed after it still has them.
  absl::Status WriteFinalPaths(const std::vector<torch::Tensor>& trajectories) {
    if (!IsMazeDomain(spec_.domain)) return absl::OkStatus();
    constexpr size_t kEpisodes = 10;
    std::string csv = "kind,episode,x,y\n";
    for (size_t e = 0; e < trajectories.size() && e < kEpisodes; ++e) {
      const torch::Tensor xy = trajectories[e].slice(1, 0, 2).to(torch::kFloat32).contiguous();
      const auto rows = xy.accessor<float, 2>();
      for (int64_t t = 0; t < xy.size(0); ++t) {
        absl::StrAppendFormat(&csv, "final,%d,%.4f,%.4f\n", e, rows[t][0], rows[t][1]);
      }
    }
    return WriteStringAtomically(run_dir_ + "/final_paths.csv", csv);
  }

  // Replays a fixed sample of `table` in the simulator (the error is an average), values the same
  // rows with the learner's critic where it has one, and logs both.
  absl::StatusOr<ModelDataFidelity> Fidelity(const data::Transitions& table,
                                             const std::string& what, learners::Learner& learner) {
    constexpr int64_t kRows = 10000;
    const data::Transitions sample = table.Select(FidelityRows(table.size(), kRows, seed_));
    ROMI_ASSIGN_OR_RETURN(ModelDataFidelity out, ReplayInSimulator(task_, sample));
    Log("fidelity",
        absl::StrFormat("%d %s transitions replayed in the simulator: next-state MSE %.4g, "
                        "relative error %.4g, reward MAE %.4g, mean reward %.4g (simulator %.4g)",
                        out.rows(), what, out.next_state_mse(), out.relative_error(),
                        out.reward_mae(), out.table_reward_mean(), out.simulator_reward_mean()));
    const std::optional<torch::Tensor> q =
        learner.Value(sample.observations.to(torch::kFloat), sample.actions.to(torch::kFloat));
    if (q.has_value()) {
      const torch::Tensor values = q->to(torch::kCPU, torch::kDouble);
      out.set_q_mean(values.mean().item<double>());
      out.set_q_std(values.numel() > 1 ? values.std(/*unbiased=*/false).item<double>() : 0.0);
      Log("fidelity", absl::StrFormat("the final critic values %d %s transitions at Q %.4g +- %.4g",
                                      values.numel(), what, out.q_mean(), out.q_std()));
    }
    return out;
  }

  void Log(const std::string& stage, const std::string& message) {
    if (log_) log_(stage, message);
  }

  // With record_states (the final evaluation), also the trajectory discrepancy.
  absl::StatusOr<Evaluation> EvaluateAt(int64_t step, learners::Learner& learner,
                                        const EvaluationOptions& eval_options) {
    // The same acting noise at every evaluation, as the same start states.
    learner.ReseedActing(eval_options.seed);
    EvaluationOptions options = eval_options;
    options.discount = critic_discount_;
    ROMI_ASSIGN_OR_RETURN(
        const EvaluationReport report,
        Evaluate(
            task_, [&learner](const torch::Tensor& obs) { return learner.Act(obs, true); },
            options));
    Evaluation evaluation;
    evaluation.set_step(step);
    evaluation.set_return_mean(report.ReturnMean());
    evaluation.set_return_std(report.ReturnStd());
    evaluation.set_score_mean(report.ScoreMean());
    evaluation.set_score_std(report.ScoreStd());
    evaluation.set_episodes(static_cast<int>(report.returns.size()));
    if (options.discount > 0) {
      const std::optional<StartValueCalibration> calibration = CalibrateStartValues(
          report, [&learner](const torch::Tensor& obs, const torch::Tensor& act) {
            return learner.Value(obs, act);
          });
      if (calibration.has_value()) {
        evaluation.set_q_start_mean(calibration->q.mean);
        evaluation.set_discounted_return_mean(calibration->discounted_return.mean);
      }
    }
    if (eval_options.record_states) {
      ROMI_ASSIGN_OR_RETURN(const double discrepancy,
                            AverageTrajectoryDiscrepancy(report.trajectories,
                                                         data_.dataset.transitions().observations));
      evaluation.set_trajectory_discrepancy(discrepancy);
      final_trajectories_ = report.trajectories;
    }
    return evaluation;
  }

  const SuiteOptions& options_;
  const std::string task_;
  const std::string method_;
  const uint64_t seed_;
  const TaskData& data_;
  const envs::EnvSpec& spec_;
  bool forward_model_ = false;                     // fomi-*: imagined states are the later ones
  ImaginationConfig imagination_;                  // how the model buffer was filled
  std::vector<torch::Tensor> final_trajectories_;  // the final evaluation's visited states
  std::string run_dir_;
  int64_t total_steps_ = 0;
  std::string curve_path_;      // the result so far, rewritten at every evaluation
  std::string result_path_;     // the finished run's result
  double critic_discount_ = 0;  // the learner's critic's discount; 0 without a critic
  RunResult result_;
  std::unique_ptr<EventFile> events_;  // events.out.tfevents.* in the run directory
  std::chrono::steady_clock::time_point start_;
  double earlier_seconds_ = 0;  // wall time of earlier working periods
  std::ofstream log_file_;
  std::function<void(const std::string&, const std::string&)> log_;  // log.txt, during Run()
};

}  // namespace

DatasetProvider DatasetSourceProvider(datagen::DatasetRequest request) {
  return [request](const std::string& task, int64_t rows) -> absl::StatusOr<TaskData> {
    datagen::DatasetRequest task_request = request;
    task_request.task = task;
    task_request.rows = rows;
    ROMI_ASSIGN_OR_RETURN(const datagen::ResolvedDataset resolved,
                          datagen::ResolveDataset(task_request));
    // A user's file for another simulator (a Minari dict observation, another env version)
    // would fail much later, at the first evaluation, and less clearly.
    ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
    if (resolved.file.observations.size(1) != spec.obs_dim ||
        resolved.file.actions.size(1) != spec.act_dim) {
      return absl::InvalidArgumentError(absl::StrCat(
          resolved.description, ": observations of ", resolved.file.observations.size(1),
          " and actions of ", resolved.file.actions.size(1), " numbers, but ", task, " has ",
          spec.obs_dim, " and ", spec.act_dim));
    }
    ROMI_ASSIGN_OR_RETURN(
        data::Dataset dataset,
        data::Dataset::FromD4rlFile(resolved.file, data::DatasetOptions(), resolved.description));
    return TaskData{std::move(dataset), resolved.description};
  };
}

std::string RunDirectory(const std::string& out_dir, const std::string& task,
                         const std::string& method, uint64_t seed) {
  return (fs::path(out_dir) / "runs" / task / method / absl::StrCat("seed", seed)).string();
}

std::string TaskDataPath(const std::string& out_dir, const std::string& task) {
  return data::FingerprintPath((fs::path(out_dir) / "runs" / task).string());
}

std::string RunKey(const std::string& task, const std::string& method, uint64_t seed) {
  return absl::StrCat(task, ",", method, ",", seed);
}

absl::Status ParseRunKey(const std::string& key, std::string* task, std::string* method,
                         uint64_t* seed) {
  const std::vector<std::string> parts = absl::StrSplit(key, ',');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
      !absl::SimpleAtoi(parts[2], seed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run '", key, "' is not <task>,<method>,<seed>"));
  }
  *task = parts[0];
  *method = parts[1];
  return absl::OkStatus();
}

namespace {

// The task's dataset, its fingerprint recorded as the data the suite's runs of the task are
// asked on (TaskDataPath): the record that a report without the data (--collect, a resubmission)
// checks the runs against.
absl::StatusOr<TaskData> LoadTaskData(const SuiteOptions& options, const std::string& task) {
  ROMI_ASSIGN_OR_RETURN(TaskData task_data, options.datasets(task, options.budget.dataset_rows()));
  if (options.progress) {
    std::fprintf(stderr, "%s: %lld transitions from %s\n", task.c_str(),
                 static_cast<long long>(task_data.dataset.size()), task_data.source.c_str());
  }
  const std::string path = TaskDataPath(options.out_dir, task);
  ROMI_RETURN_IF_ERROR(CreateDirectories(fs::path(path).parent_path().string()));
  // Its writers hold the suite lock (RunSuite, PrepareDatasets), so a temporary here is a killed
  // writer's.
  RemoveStaleTemporaries(fs::path(path).parent_path().string(), /*recursive=*/false,
                         data::kFingerprintFile);
  ROMI_RETURN_IF_ERROR(data::WriteFingerprint(
      data::FingerprintOf(task_data.dataset.transitions(), task_data.source), path));
  return task_data;
}

// OK unless the run directory records other data than the suite's last record for its task (no
// record, either side: nothing to compare).
absl::Status CheckRunData(const std::string& out_dir, const std::string& task,
                          const std::string& run_dir) {
  ROMI_ASSIGN_OR_RETURN(const std::optional<data::DataFingerprint> task_data,
                        data::ReadFingerprint(TaskDataPath(out_dir, task)));
  if (!task_data.has_value()) return absl::OkStatus();
  return data::CheckFingerprint(*task_data, data::FingerprintPath(run_dir));
}

// Fails on a misspelt task or method, or a budget that cannot evaluate, before hours of training.
absl::Status CheckSuite(const SuiteOptions& options) {
  if (options.tasks.empty() || options.methods.empty() || options.seeds.empty()) {
    return absl::InvalidArgumentError("the suite needs at least one task, method and seed");
  }
  if (options.budget.eval_episodes() < 1 || options.budget.final_eval_episodes() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("budget '", options.budget.name(),
                     "': eval_episodes and final_eval_episodes must be positive"));
  }
  if (options.jobs > 1 && options.worker_command.empty()) {
    return absl::InvalidArgumentError("jobs > 1 needs a worker command");
  }
  for (const std::string& task : options.tasks) {
    ROMI_RETURN_IF_ERROR(envs::FindSpec(task).status());
    ROMI_RETURN_IF_ERROR(LoadTaskConfig(options.configs_dir, task).status());
  }
  for (const std::string& method : options.methods) {
    ROMI_RETURN_IF_ERROR(MethodRunConfig(method, TaskConfig(), options.budget, 0).status());
  }
  return absl::OkStatus();
}

absl::Status WithRunName(const absl::Status& status, const std::string& task,
                         const std::string& method, uint64_t seed) {
  return absl::Status(status.code(),
                      absl::StrFormat("%s %s seed %d: %s", task, method, seed, status.message()));
}

struct PlannedRun {
  std::string task;
  std::string method;
  uint64_t seed = 0;
  std::string run_dir;
  std::optional<RunResult> result;
  std::optional<FailedRun> failure;
  std::optional<MissingRun> missing;
};

// The suite's state as runs finish: runs in the planned order, failures after them.
class SuiteProgress {
 public:
  SuiteProgress(const SuiteOptions& options, std::chrono::steady_clock::time_point start)
      : options_(options), start_(start) {
    for (const std::string& task : options.tasks) {
      for (const std::string& method : options.methods) {
        for (const uint64_t seed : options.seeds) {
          runs_.push_back(
              {task, method, seed, RunDirectory(options.out_dir, task, method, seed), {}, {}, {}});
        }
      }
    }
  }

  std::vector<PlannedRun>& runs() { return runs_; }

  // Records run i's outcome and rewrites the report with every run finished so far.
  absl::Status Finish(size_t i, absl::StatusOr<RunResult> outcome, const std::string& log) {
    Record(i, std::move(outcome), log);
    return WriteReports();
  }

  // A run that has neither finished nor failed (what --collect finds).
  void RecordMissing(size_t i, const std::string& state, const std::string& log) {
    MissingRun missing;
    missing.set_task(runs_[i].task);
    missing.set_method(runs_[i].method);
    missing.set_seed(runs_[i].seed);
    missing.set_state(state);
    if (!log.empty()) missing.set_log(log);
    runs_[i].missing = missing;
  }

  void Record(size_t i, absl::StatusOr<RunResult> outcome, const std::string& log) {
    PlannedRun& run = runs_[i];
    if (outcome.ok()) {
      if (options_.progress) {
        std::fprintf(stderr,
                     "%s %s seed %d: final score %.1f ± %.1f over %d episodes, last-%d "
                     "mean %.1f (%.0f s)\n",
                     run.task.c_str(), run.method.c_str(), static_cast<int>(run.seed),
                     outcome->final().score_mean(), outcome->final().score_std(),
                     outcome->final().episodes(), outcome->last_count(), outcome->last_mean(),
                     outcome->wall_seconds());
      }
      run.result = *std::move(outcome);
    } else {
      const absl::Status status = WithRunName(outcome.status(), run.task, run.method, run.seed);
      std::fprintf(stderr, "failed: %s\n", std::string(status.message()).c_str());
      FailedRun failure;
      failure.set_task(run.task);
      failure.set_method(run.method);
      failure.set_seed(run.seed);
      failure.set_error(std::string(status.message()));
      failure.set_log(log);
      run.failure = failure;
    }
  }

  absl::Status WriteReports() const {
    const SuiteResults results = Results();
    ROMI_RETURN_IF_ERROR(WriteReport(results, options_.paper, options_.methods, options_.out_dir));
    ROMI_RETURN_IF_ERROR(DrawMazePictures(results, options_.methods, options_.out_dir));
    return options_.on_report ? options_.on_report(results) : absl::OkStatus();
  }

  SuiteResults Results() const {
    SuiteResults results;
    results.set_budget(options_.budget.name());
    if (!options_.budget.note().empty()) results.set_budget_note(options_.budget.note());
    for (const PlannedRun& run : runs_) {
      if (run.result) *results.add_run() = *run.result;
      if (run.failure) *results.add_failed() = *run.failure;
      if (run.missing) *results.add_missing() = *run.missing;
    }
    results.set_wall_seconds(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    return results;
  }

 private:
  const SuiteOptions& options_;
  const std::chrono::steady_clock::time_point start_;
  std::vector<PlannedRun> runs_;
};

// The last non-empty line of a worker's log: its error message, when it failed cleanly.
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last.empty() ? "no output" : last;
}

absl::StatusOr<pid_t> StartWorker(const SuiteOptions& options, const PlannedRun& run,
                                  const std::string& log_path) {
  ROMI_RETURN_IF_ERROR(CreateDirectories(run.run_dir));
  std::vector<std::string> argv = options.worker_command;
  argv.push_back(absl::StrCat("--run=", RunKey(run.task, run.method, run.seed)));
  return StartProcess(argv, log_path);
}

// jobs > 1: one worker process per run, at most `jobs` at a time. The datasets are already in
// the cache (RunSuite prepared them), so workers only read them.
absl::Status RunInWorkers(const SuiteOptions& options, SuiteProgress& progress) {
  std::map<pid_t, size_t> running;
  size_t next = 0;
  std::vector<PlannedRun>& runs = progress.runs();
  auto log_path = [&](size_t i) { return runs[i].run_dir + "/worker.log"; };
  while (next < runs.size() || !running.empty()) {
    while (next < runs.size() && static_cast<int>(running.size()) < options.jobs) {
      const size_t i = next++;
      if (runs[i].result.has_value()) continue;  // finished before this suite started
      absl::StatusOr<pid_t> pid = StartWorker(options, runs[i], log_path(i));
      if (!pid.ok()) {
        ROMI_RETURN_IF_ERROR(progress.Finish(i, pid.status(), log_path(i)));
        continue;
      }
      running[*pid] = i;
      if (options.progress) {
        std::fprintf(stderr, "started %s %s seed %d (pid %d, log %s)\n", runs[i].task.c_str(),
                     runs[i].method.c_str(), static_cast<int>(runs[i].seed), *pid,
                     log_path(i).c_str());
      }
    }
    if (running.empty()) continue;
    ROMI_ASSIGN_OR_RETURN(const FinishedProcess finished, WaitForAnyChild());
    const auto it = running.find(finished.pid);
    if (it == running.end()) continue;  // not one of ours
    const size_t i = it->second;
    running.erase(it);
    absl::StatusOr<RunResult> outcome =
        finished.ok
            ? ReadFinishedRun(runs[i].run_dir + "/result.textproto")
            : absl::InternalError(absl::StrCat("worker ", finished.description, " (",
                                               LastLine(log_path(i)), "); see ", log_path(i)));
    ROMI_RETURN_IF_ERROR(progress.Finish(i, std::move(outcome), log_path(i)));
  }
  return absl::OkStatus();
}

// The last step of a run's curve so far (0 before its first evaluation).
int64_t LastEvaluatedStep(const std::string& run_dir) {
  const absl::StatusOr<RunResult> curve = ReadRunResult(run_dir + "/curve.textproto");
  if (!curve.ok() || curve->curve_size() == 0) return 0;
  return curve->curve(curve->curve_size() - 1).step();
}

// --collect: run i as its run directory shows it, without training: finished at the asked steps
// (its result), training now (its run.lock is held), not started, or stopped (a failure, with the
// last line of its log).
absl::Status CollectRun(const SuiteOptions& options, SuiteProgress& progress, size_t i) {
  const PlannedRun& run = progress.runs()[i];
  ROMI_ASSIGN_OR_RETURN(const RunConfig config,
                        SuiteRunConfig(options, run.task, run.method, run.seed));
  const int64_t asked = config.learner_steps();
  const std::string result_path = run.run_dir + "/result.textproto";
  const std::string worker_log = run.run_dir + "/worker.log";
  const std::string run_log = run.run_dir + "/log.txt";
  const std::string log = fs::exists(worker_log) ? worker_log : run_log;
  if (fs::exists(result_path)) {
    if (!CheckRunConfig(config, run.run_dir).ok()) {
      progress.RecordMissing(
          i,
          absl::StrCat("made with other settings than asked: ", run.run_dir, "/config.textproto"),
          log);
      return absl::OkStatus();
    }
    if (const absl::Status data = CheckRunData(options.out_dir, run.task, run.run_dir);
        !data.ok()) {
      progress.RecordMissing(i, std::string(data.message()), log);
      return absl::OkStatus();
    }
    absl::StatusOr<RunResult> finished = ReadFinishedRun(result_path);
    if (finished.ok() && finished->final().step() == asked) {
      progress.Record(i, *std::move(finished), log);
      return absl::OkStatus();
    }
    if (finished.ok()) {
      progress.RecordMissing(i,
                             absl::StrFormat("finished at %d learner steps, %d asked",
                                             finished->final().step(), asked),
                             log);
      return absl::OkStatus();
    }
    progress.Record(i, finished.status(), log);
    return absl::OkStatus();
  }
  if (!fs::exists(worker_log) && !fs::exists(run_log)) {
    progress.RecordMissing(i, "not started", "");
    return absl::OkStatus();
  }
  if (fs::exists(run.run_dir + "/run.lock")) {
    const absl::StatusOr<std::unique_ptr<FileLock>> lock =
        FileLock::TryAcquire(run.run_dir + "/run.lock");
    if (lock.status().code() == absl::StatusCode::kFailedPrecondition) {
      progress.RecordMissing(
          i,
          absl::StrFormat("running: at step %d of %d (%s)", LastEvaluatedStep(run.run_dir), asked,
                          lock.status().message()),
          log);
      return absl::OkStatus();
    }
  }
  progress.Record(
      i,
      absl::AbortedError(absl::StrFormat("stopped at step %d of %d: %s",
                                         LastEvaluatedStep(run.run_dir), asked, LastLine(log))),
      log);
  return absl::OkStatus();
}

// The run's result when it has finished at the asked learner steps with the asked settings; nothing
// when it has not (not started, interrupted, finished at other steps or with other settings, or
// unreadable: the run itself then decides).
absl::StatusOr<std::optional<RunResult>> FinishedAtAskedSteps(const SuiteOptions& options,
                                                              const std::string& task,
                                                              const std::string& method,
                                                              uint64_t seed) {
  ROMI_ASSIGN_OR_RETURN(const RunConfig config, SuiteRunConfig(options, task, method, seed));
  const std::string run_dir = RunDirectory(options.out_dir, task, method, seed);
  const std::string path = run_dir + "/result.textproto";
  if (!fs::exists(path)) return std::nullopt;
  // Not finished for these settings or this data: the run is started, and it says why it refuses.
  if (!CheckRunConfig(config, run_dir).ok()) return std::nullopt;
  if (!CheckRunData(options.out_dir, task, run_dir).ok()) return std::nullopt;
  absl::StatusOr<RunResult> finished = ReadFinishedRun(path);
  if (!finished.ok() || finished->final().step() != config.learner_steps()) return std::nullopt;
  return *std::move(finished);
}

// Reads back every run already finished, before any training: the report lists them from the
// start (with jobs > 1, mid-suite reports would otherwise show only the runs reached so far), and
// no worker is started for them.
// Returns how many.
// A finished run made before runs recorded their data gets the task's data recorded now (the
// same assumption as for a run resumed for the first time since: it was made from this data).
absl::StatusOr<int> RecordFinishedRuns(const SuiteOptions& options, SuiteProgress& progress) {
  std::vector<PlannedRun>& runs = progress.runs();
  int count = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    ROMI_ASSIGN_OR_RETURN(
        std::optional<RunResult> finished,
        FinishedAtAskedSteps(options, runs[i].task, runs[i].method, runs[i].seed));
    if (!finished.has_value()) continue;
    ROMI_ASSIGN_OR_RETURN(const std::optional<data::DataFingerprint> task_data,
                          data::ReadFingerprint(TaskDataPath(options.out_dir, runs[i].task)));
    if (task_data.has_value()) {
      ROMI_RETURN_IF_ERROR(
          data::WriteOrCheckFingerprint(*task_data, data::FingerprintPath(runs[i].run_dir)));
    }
    progress.Record(i, *std::move(finished), runs[i].run_dir + "/log.txt");
    ++count;
  }
  return count;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> UnfinishedRuns(const SuiteOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckSuite(options));
  std::vector<std::string> unfinished;
  for (const std::string& task : options.tasks) {
    for (const std::string& method : options.methods) {
      for (const uint64_t seed : options.seeds) {
        ROMI_ASSIGN_OR_RETURN(const std::optional<RunResult> finished,
                              FinishedAtAskedSteps(options, task, method, seed));
        if (!finished.has_value()) unfinished.push_back(RunKey(task, method, seed));
      }
    }
  }
  return unfinished;
}

absl::Status PrepareDatasets(const SuiteOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckSuite(options));
  ROMI_RETURN_IF_ERROR(CreateDirectories(options.out_dir));
  ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<FileLock> lock,
                        LockOrExplain((fs::path(options.out_dir) / "suite.lock").string(),
                                      absl::StrCat("a suite is writing ", options.out_dir)));
  for (const std::string& task : options.tasks) {
    ROMI_RETURN_IF_ERROR(LoadTaskData(options, task).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<RunResult> RunOne(const SuiteOptions& options, const std::string& task,
                                 const std::string& method, uint64_t seed) {
  ROMI_RETURN_IF_ERROR(CheckSuite(options));
  auto run = [&]() -> absl::StatusOr<RunResult> {
    ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
    ROMI_ASSIGN_OR_RETURN(const TaskData data,
                          options.datasets(task, options.budget.dataset_rows()));
    return RunContext(options, task, method, seed, data, spec).Run();
  };
  absl::StatusOr<RunResult> result = run();
  if (!result.ok()) return WithRunName(result.status(), task, method, seed);
  return result;
}

absl::StatusOr<SuiteResults> RunSuite(const SuiteOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ROMI_RETURN_IF_ERROR(CheckSuite(options));
  ROMI_RETURN_IF_ERROR(CreateDirectories(options.out_dir));
  // Each run is locked as it trains, but two suites on one directory would still rewrite each
  // other's reports with their own runs: the second one stops here, naming the first.
  ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<FileLock> lock,
                        LockOrExplain((fs::path(options.out_dir) / "suite.lock").string(),
                                      absl::StrCat("a suite is writing ", options.out_dir)));
  // The reports a killed suite was writing (the run directories are their runs' to clean).
  RemoveStaleTemporaries(options.out_dir, /*recursive=*/false);

  SuiteProgress progress(options, start);
  if (options.collect_only) {
    for (size_t i = 0; i < progress.runs().size(); ++i) {
      ROMI_RETURN_IF_ERROR(CollectRun(options, progress, i));
    }
    ROMI_RETURN_IF_ERROR(progress.WriteReports());
    return progress.Results();
  }
  // Datasets first, one task at a time: generated (and cached) once, never by two workers.
  std::map<std::string, TaskData> data;
  for (const std::string& task : options.tasks) {
    ROMI_ASSIGN_OR_RETURN(TaskData task_data, LoadTaskData(options, task));
    // Workers load their own copy; keep the parent's memory for them.
    if (options.jobs <= 1) data.emplace(task, std::move(task_data));
  }
  ROMI_ASSIGN_OR_RETURN(const int finished, RecordFinishedRuns(options, progress));
  if (finished > 0) ROMI_RETURN_IF_ERROR(progress.WriteReports());
  if (options.jobs > 1) {
    ROMI_RETURN_IF_ERROR(RunInWorkers(options, progress));
  } else {
    for (size_t i = 0; i < progress.runs().size(); ++i) {
      const PlannedRun& run = progress.runs()[i];
      if (run.result.has_value()) continue;  // finished before this suite started
      ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(run.task));
      ROMI_RETURN_IF_ERROR(progress.Finish(
          i, RunContext(options, run.task, run.method, run.seed, data.at(run.task), spec).Run(),
          run.run_dir + "/log.txt"));
    }
  }
  // Every Finish rewrote the report, the last one with every run.
  return progress.Results();
}

}  // namespace romi::eval
