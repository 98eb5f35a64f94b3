// The main job: ROMI and its baselines on D4RL tasks, scored in the native simulators, beside the
// paper's numbers.
//
//   bazel run //eval:d4rl_suite                      # the default: about 15 minutes on 2 cores
//   bazel run //eval:d4rl_suite -- --tasks=maze2d-umaze-v1,maze2d-medium-v1 --seeds=0,1,2
//   bazel run //eval:d4rl_suite -- --budget=paper --methods=romi-bcq,bcq
//   bazel run //eval:d4rl_suite -- --dataset_dir=/data/d4rl      # D4RL's own .hdf5 files
//   bazel run //eval:d4rl_suite -- --experiment=table10          # eval/experiment.h
//
// The default runs maze2d-umaze-v1 (sparse) with romi-bcq, fomi-bcq and bcq, one seed, under the
// "quick" budget (eval/configs/budget_quick.textproto): the same reduced budget for every method.
// Rerunning with the same --out resumes an interrupted suite.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/blas_tuning.h"
#include "datagen/dataset_source.h"
#include "eval/experiment.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "eval/suite_runner.h"
#include "learners/nn/runtime.h"

ABSL_FLAG(std::string, tasks, "",
          "Comma-separated D4RL task names (default: maze2d-umaze-v1; with --experiment: its "
          "rows, of which this picks some).");
ABSL_FLAG(std::string, methods, "",
          "Comma-separated methods: romi-bcq, romi-rbc-bcq, fomi-bcq, bcq, romi-cql, fomi-cql, "
          "cql, bc; a model-based one with another rollout length as <method>@h<N>, e.g. "
          "romi-bcq@h10 (default: romi-bcq,fomi-bcq,bcq; with --experiment: its columns, of which "
          "this picks some).");
ABSL_FLAG(std::string, experiment, "",
          "A paper table as a preset of tasks and methods, reported in the paper's shape: table1, "
          "table2, table3, table4, table5, table8, table9, table10, table11 "
          "(eval/experiments.textproto).");
ABSL_FLAG(std::string, experiments, "eval/experiments.textproto", "The experiment presets.");
ABSL_FLAG(std::string, seeds, "0", "Comma-separated seeds.");
ABSL_FLAG(std::string, budget, "quick",
          "quick (minutes), paper (the paper's settings; days on a CPU), smoke (seconds, for "
          "tests), or a path to a Budget textproto.");
ABSL_FLAG(int64_t, steps, 0, "Learner steps for every method (0: the budget's).");
ABSL_FLAG(std::string, out, "",
          "Output directory (default: runs/d4rl_suite-<budget> under the directory bazel was run "
          "from). Rerun with the same directory to resume.");
ABSL_FLAG(std::string, dataset_dir, "",
          "A directory of D4RL .hdf5 files (D4RL's file names). Default: $ROMI_DATASET_DIR, then "
          "~/.romi/datasets; tasks without a file there are generated and cached.");
ABSL_FLAG(std::string, cache_dir, "",
          "Where generated datasets are cached (default: ~/.cache/romi).");
ABSL_FLAG(uint64_t, dataset_seed, 0, "Seed of generated datasets.");
ABSL_FLAG(std::string, configs_dir, "eval/configs", "Task configs and budgets.");
ABSL_FLAG(std::string, paper_scores, "eval/paper_scores.textproto", "The paper's numbers.");
ABSL_FLAG(int, threads, 0,
          "Torch threads per run (0: the cores divided among the jobs, one each when jobs >= "
          "cores). Results are bit-identical for a fixed value, whatever --jobs is.");
ABSL_FLAG(int, jobs, 0,
          "Runs at the same time, each in a worker process of its own (0: one per core; 1: one "
          "after another in this process).");
ABSL_FLAG(std::string, run, "",
          "Run only <task>,<method>,<seed> of the suite and write its run directory (what each "
          "worker does); no report.");
ABSL_FLAG(bool, search_user_datasets, true,
          "Use D4RL files from --dataset_dir, $ROMI_DATASET_DIR or ~/.romi/datasets when present "
          "(false: always the generated datasets).");
ABSL_FLAG(bool, progress, true, "Progress bars on stderr.");

namespace romi::eval {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

// Paths given relative to where the user ran `bazel run` (bazel runs binaries elsewhere).
std::string UserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || cwd == nullptr) return path;
  return (std::filesystem::path(cwd) / path).string();
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "d4rl_suite: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Main(int argc, char** argv) {
  SuiteOptions options;
  std::optional<ExperimentPlan> plan;
  if (!absl::GetFlag(FLAGS_experiment).empty()) {
    absl::StatusOr<Experiments> experiments = LoadExperiments(absl::GetFlag(FLAGS_experiments));
    if (!experiments.ok()) return Fail(experiments.status());
    absl::StatusOr<Experiment> experiment =
        FindExperiment(*experiments, absl::GetFlag(FLAGS_experiment));
    if (!experiment.ok()) return Fail(experiment.status());
    absl::StatusOr<ExperimentPlan> planned =
        PlanExperiment(*experiment, SplitList(absl::GetFlag(FLAGS_tasks)),
                       SplitList(absl::GetFlag(FLAGS_methods)));
    if (!planned.ok()) return Fail(planned.status());
    plan = *std::move(planned);
    options.tasks = plan->tasks;
    options.methods = plan->methods;
  } else {
    options.tasks = SplitList(absl::GetFlag(FLAGS_tasks));
    if (options.tasks.empty()) options.tasks = {"maze2d-umaze-v1"};
    options.methods = SplitList(absl::GetFlag(FLAGS_methods));
    if (options.methods.empty()) options.methods = {"romi-bcq", "fomi-bcq", "bcq"};
  }
  for (const std::string& text : SplitList(absl::GetFlag(FLAGS_seeds))) {
    uint64_t seed;
    if (!absl::SimpleAtoi(text, &seed)) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--seeds: '", text, "' is not a seed")));
    }
    options.seeds.push_back(seed);
  }
  options.configs_dir = absl::GetFlag(FLAGS_configs_dir);
  const std::string budget_flag = absl::GetFlag(FLAGS_budget);
  const std::string budget_path =
      budget_flag.find('/') != std::string::npos ||
              budget_flag.find(".textproto") != std::string::npos
          ? UserPath(budget_flag)
          : absl::StrCat(options.configs_dir, "/budget_", budget_flag, ".textproto");
  absl::StatusOr<Budget> budget = LoadBudget(budget_path);
  if (!budget.ok()) return Fail(budget.status());
  options.budget = *budget;
  options.learner_steps = absl::GetFlag(FLAGS_steps);
  absl::StatusOr<PaperScores> paper = LoadPaperScores(absl::GetFlag(FLAGS_paper_scores));
  if (!paper.ok()) return Fail(paper.status());
  options.paper = *paper;
  const std::string default_out = absl::StrCat(
      "runs/", plan ? plan->experiment.name() : "d4rl_suite", "-", options.budget.name());
  options.out_dir =
      UserPath(absl::GetFlag(FLAGS_out).empty() ? default_out : absl::GetFlag(FLAGS_out));
  options.progress = absl::GetFlag(FLAGS_progress);
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.jobs = absl::GetFlag(FLAGS_jobs) > 0 ? absl::GetFlag(FLAGS_jobs) : cores;
  // A model-error experiment trains its models one after another in this process, on every core.
  if (plan && plan->experiment.kind() == Experiment::MODEL_ERROR) options.jobs = 1;
  const int threads = absl::GetFlag(FLAGS_threads) > 0 ? absl::GetFlag(FLAGS_threads)
                                                       : std::max(1, cores / options.jobs);
  // Env steps of an evaluation are independent of each other: their thread count changes only
  // the speed, never the scores.
  options.eval_threads = threads;
  if (options.jobs > 1) {
    // Workers are this binary with the same flags (later flags win), one run each.
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error)
      return Fail(absl::InternalError("cannot find this program's path in /proc/self/exe"));
    options.worker_command.push_back(self.string());
    for (int i = 1; i < argc; ++i) options.worker_command.push_back(argv[i]);
    options.worker_command.push_back(absl::StrCat("--threads=", threads));
    options.worker_command.push_back(absl::StrCat("--out=", options.out_dir));
    options.worker_command.push_back("--progress=false");
  }
  datagen::DatasetRequest request;
  request.search_user_files = absl::GetFlag(FLAGS_search_user_datasets);
  request.seed = absl::GetFlag(FLAGS_dataset_seed);
  request.dataset_dir = UserPath(absl::GetFlag(FLAGS_dataset_dir));
  request.cache_dir = UserPath(absl::GetFlag(FLAGS_cache_dir));
  options.datasets = DatasetSourceProvider(request);
  learners::SetIntraOpThreads(threads);
  // Model training allocates as much per step as a learner does: keep freed memory for reuse.
  learners::KeepFreedMemory();

  if (!absl::GetFlag(FLAGS_run).empty()) {
    std::string task, method;
    uint64_t seed = 0;
    if (absl::Status parsed = ParseRunKey(absl::GetFlag(FLAGS_run), &task, &method, &seed);
        !parsed.ok()) {
      return Fail(parsed);
    }
    const absl::StatusOr<RunResult> run = RunOne(options, task, method, seed);
    if (!run.ok()) return Fail(run.status());
    std::printf("%s %s seed %d: final score %.1f ± %.1f over %d episodes\n", task.c_str(),
                method.c_str(), static_cast<int>(seed), run->final().score_mean(),
                run->final().score_std(), run->final().episodes());
    return 0;
  }

  std::fprintf(stderr,
               "d4rl_suite: %s%stasks %s; methods %s; seeds %s; budget %s; %d job(s) of %d "
               "thread(s); output %s\n",
               plan ? plan->experiment.name().c_str() : "", plan ? ": " : "",
               absl::StrJoin(options.tasks, ",").c_str(),
               absl::StrJoin(options.methods, ",").c_str(), absl::GetFlag(FLAGS_seeds).c_str(),
               options.budget.name().c_str(), options.jobs, threads, options.out_dir.c_str());
  absl::StatusOr<SuiteResults> results = plan ? RunExperiment(*plan, options) : RunSuite(options);
  if (!results.ok()) return Fail(results.status());
  if (!results->budget_note().empty()) std::printf("\n%s\n", results->budget_note().c_str());
  if (plan) {
    const bool model_error = plan->experiment.kind() == Experiment::MODEL_ERROR;
    std::printf("\n%s, budget '%s' (ours: %s, mean ± std over seeds; paper: mean ± std)\n\n%s\n",
                plan->experiment.title().c_str(), options.budget.name().c_str(),
                model_error ? "the elites' one-step MSE on held-out transitions"
                            : "the final policy's D4RL normalized score",
                RenderExperiment(*plan, *results, options.paper).c_str());
    if (model_error) {
      std::printf("Wall time %.0f s. Report: %s/%s\n", results->wall_seconds(),
                  options.out_dir.c_str(), ExperimentReportName(plan->experiment).c_str());
      return 0;
    }
    if (results->run_size() == 0 && results->failed_size() == 0) {
      std::printf("Nothing to run: no row of %s has an environment in this build.\n",
                  plan->experiment.name().c_str());
      return 0;
    }
  } else {
    std::printf(
        "\nD4RL normalized score of the final policy, budget '%s' (ours: mean ± std over "
        "seeds; paper: its Tables 1-3, 8, 9, mean ± std over 3 seeds)\n\n%s\n",
        options.budget.name().c_str(),
        RenderTable(*results, options.paper, options.methods).c_str());
  }
  std::printf("%s\n\n%s\n", kCellsExplained,
              RenderCells(*results, options.paper, options.methods).c_str());
  std::printf(
      "Per run (imagined-data error: the model buffer replayed in the simulator, 0 = exact)"
      "\n\n%s\n",
      RenderDiagnostics(*results).c_str());
  std::printf("Wall time %.0f s. Report: %s/%sresults.{md,csv,json}, curves.csv, curves_*.png\n",
              results->wall_seconds(), options.out_dir.c_str(),
              plan ? absl::StrCat(ExperimentReportName(plan->experiment), ", ").c_str() : "");
  for (const FailedRun& failed : results->failed()) {
    std::fprintf(stderr, "failed run: %s (log: %s)\n", failed.error().c_str(),
                 failed.log().c_str());
  }
  return results->failed_size() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace romi::eval

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::SetProgramUsageMessage(
      "Runs ROMI and baselines on D4RL tasks and reports normalized scores beside the paper's.\n"
      "Usage: bazel run //eval:d4rl_suite -- [--tasks=...] [--methods=...] [--seeds=...] "
      "[--budget=quick|paper] [--steps=N] [--out=DIR]");
  absl::ParseCommandLine(argc, argv);
  return romi::eval::Main(argc, argv);
}
