// The main job: ROMI and its baselines on D4RL tasks, scored in the native simulators, beside the
// paper's numbers.
//
//   bazel run //eval:d4rl_suite                      # the default: about 17 minutes on 2 cores
//   bazel run //eval:d4rl_suite -- --tasks=maze2d-umaze-v1,maze2d-medium-v1 --seeds=0,1,2
//   bazel run //eval:d4rl_suite -- --budget=paper --methods=romi-bcq,bcq
//   bazel run //eval:d4rl_suite -- --dataset_dir=/data/d4rl      # D4RL's own .hdf5 files
//   bazel run //eval:d4rl_suite -- --experiment=table10          # eval/experiment.h
//
// The default runs maze2d-umaze-v1 (sparse) with romi-bcq, fomi-bcq and bcq, one seed, under the
// "quick" budget (eval/configs/budget_quick.textproto): the same reduced budget for every method.
// Rerunning with the same --out resumes an interrupted suite.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
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
#include "base/atomic_file.h"
#include "base/blas_tuning.h"
#include "base/subprocess.h"
#include "datagen/dataset_source.h"
#include "datagen/policy_generator.h"
#include "eval/experiment.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "eval/slurm_launcher.h"
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
          "table2, table3, table4, table5, table8, table9, table10, table11, figure3, figure4 "
          "(eval/experiments.textproto).");
ABSL_FLAG(std::string, experiments, "eval/experiments.textproto", "The experiment presets.");
ABSL_FLAG(std::string, seeds, "0", "Comma-separated seeds.");
ABSL_FLAG(std::string, budget, "quick",
          "quick (minutes), long (the paper's settings written out, for a campaign; "
          "eval/configs/budget_long.textproto), paper (the paper's settings; days on a CPU), smoke "
          "(seconds, for tests), or a path to a Budget textproto.");
ABSL_FLAG(int64_t, steps, 0, "Learner steps for every method (0: the budget's).");
ABSL_FLAG(std::string, out, "",
          "Output directory (default: runs/d4rl_suite-<budget> under the directory bazel was run "
          "from). Rerun with the same directory to resume.");
ABSL_FLAG(std::string, dataset_dir, "",
          "A directory of D4RL .hdf5 files (D4RL's file names). Default: $ROMI_DATASET_DIR, then "
          "~/.romi/datasets; tasks without a file there are generated and cached.");
ABSL_FLAG(std::string, minari_dir, "",
          "The Minari dataset root (default: $MINARI_DATASETS_PATH, else ~/.minari/datasets). A "
          "task uses our Minari dataset romi/<domain>/<rest of the name> there when no D4RL file "
          "is found (make_dataset --format=minari writes it).");
ABSL_FLAG(std::string, minari_id, "",
          "With one task: train on this Minari dataset instead (e.g. mujoco/hopper/medium-v0); "
          "its observations must be the task's (see docs/ARCHITECTURE.md, \"Minari\").");
ABSL_FLAG(std::string, minari_observation_keys, "",
          "Minari Dict observations: the comma-separated keys to keep, in order (default: all, "
          "sorted), e.g. observation.");
ABSL_FLAG(std::string, cache_dir, "",
          "Where generated datasets are cached (default: ~/.cache/romi).");
ABSL_FLAG(uint64_t, dataset_seed, 0, "Seed of generated datasets.");
ABSL_FLAG(std::string, shared_stages, "",
          "Where runs share the model stages they would make identically (the same dataset, model "
          "settings and seed: romi-bcq and romi-cql, romi-rbc-bcq, the @h variants): each is made "
          "once there and linked into the runs (default: <out>/shared_stages; point several "
          "suites at one directory to share across them; 'none': every run makes its own).");
ABSL_FLAG(std::string, configs_dir, "eval/configs", "Task configs and budgets.");
ABSL_FLAG(std::string, paper_scores, "eval/paper_scores.textproto", "The paper's numbers.");
ABSL_FLAG(int, threads, 0,
          "Torch threads per run (0: the cores divided among the jobs, one each when jobs >= "
          "cores). Results are bit-identical for a fixed value, whatever --jobs is.");
ABSL_FLAG(std::string, precision, "",
          "The learners' matrix products: fp32, bf16 (every network) or bf16-policy (all but the "
          "critics, which stay fp32); fp32 master weights and optimizer state, model stages fp32. "
          "Default: the budget's (fp32). The budget is then named <budget>-<precision>, as is its "
          "default --out; docs/RESULTS.md has the validation.");
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
ABSL_FLAG(std::string, launcher, "local",
          "Where the runs train: local (this machine, --jobs worker processes) or slurm (a job "
          "array on a Slurm cluster, one task per run; --out must be on a filesystem the nodes "
          "share). Rerun the same command to resume or resubmit.");
ABSL_FLAG(bool, dry_run, false,
          "With --launcher=slurm: stage, write and print the job scripts and the sbatch commands; "
          "submit nothing.");
ABSL_FLAG(bool, collect, false,
          "Train nothing: rebuild the report in --out from the runs that have finished, the "
          "others listed as not started, running or failed (with their logs).");
ABSL_FLAG(bool, prepare_datasets, false,
          "Only find or generate (and cache) every task's dataset, then exit: what the Slurm "
          "launcher's first job does.");
ABSL_FLAG(int, slurm_cpus_per_task, 4,
          "With --launcher=slurm: cores of each run's job, also its torch threads (results are "
          "bit-identical for a fixed value).");
ABSL_FLAG(std::string, slurm_mem, "8G", "With --launcher=slurm: sbatch --mem of each run.");
ABSL_FLAG(std::string, slurm_time, "2-00:00:00",
          "With --launcher=slurm: sbatch --time of each run; a run stopped by it resumes from its "
          "checkpoints when resubmitted.");
ABSL_FLAG(int, slurm_max_running, 0,
          "With --launcher=slurm: array tasks running at once (0: as many as Slurm allows).");
ABSL_FLAG(std::string, sbatch_args, "",
          "With --launcher=slurm: extra sbatch options for every job, space-separated, e.g. "
          "'--partition=cpu --account=lab'.");

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

std::string AbsolutePath(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// --launcher=slurm: stages this binary and what it reads into <out>/slurm/stage, then writes and
// submits the jobs (eval/slurm_launcher.h). Every path the jobs see is absolute; the run flags are
// the resolved ones (relative paths mean nothing on a compute node).
int LaunchOnSlurm(SuiteOptions options, const std::optional<ExperimentPlan>& plan,
                  const std::string& budget_path) {
  if (plan && plan->experiment.kind() == Experiment::MODEL_ERROR) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(plan->experiment.name(),
                     " trains its models one after another in one process: run it with "
                     "--launcher=local (as one Slurm job if you like)")));
  }
  const bool dry_run = absl::GetFlag(FLAGS_dry_run);
  std::string sbatch = "sbatch";
  if (!dry_run) {
    absl::StatusOr<std::string> found = FindOnPath("sbatch");
    if (!found.ok()) {
      return Fail(absl::FailedPreconditionError(absl::StrCat(
          "--launcher=slurm needs Slurm's sbatch: ", found.status().message(),
          "; run this on a cluster's login node, or add --dry_run to only write the scripts")));
    }
    sbatch = *found;
  }
  options.out_dir = AbsolutePath(options.out_dir);
  if (absl::Status created = CreateDirectories(options.out_dir); !created.ok()) {
    return Fail(created);
  }
  if (access(options.out_dir.c_str(), W_OK) != 0) {
    return Fail(absl::PermissionDeniedError(
        absl::StrCat("the output directory ", options.out_dir, " is not writable")));
  }
  SlurmSweep sweep;
  sweep.out_dir = options.out_dir;
  const std::string stage = SlurmStageDir(options.out_dir);
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return Fail(absl::InternalError("cannot find this program's path in /proc/self/exe"));
  const std::string budget_file =
      absl::StrCat("budget/", std::filesystem::path(budget_path).filename().string());
  std::vector<StagedPath> staged = {
      {self.string(), "eval/d4rl_suite"},
      {options.configs_dir, "eval/configs"},
      {absl::GetFlag(FLAGS_paper_scores), "eval/paper_scores.textproto"},
      {datagen::ShippedPolicyDir(), "datagen/policies"},
      {budget_path, budget_file},
  };
  if (plan) staged.push_back({absl::GetFlag(FLAGS_experiments), "eval/experiments.textproto"});
  if (absl::Status done = StageFiles(staged, stage); !done.ok()) return Fail(done);

  const std::string cache_dir = absl::GetFlag(FLAGS_cache_dir).empty()
                                    ? options.out_dir + "/datasets"
                                    : AbsolutePath(UserPath(absl::GetFlag(FLAGS_cache_dir)));
  std::vector<std::string> common = {
      stage + "/eval/d4rl_suite",
      absl::StrCat("--seeds=", absl::GetFlag(FLAGS_seeds)),
      absl::StrCat("--budget=", stage, "/", budget_file),
      absl::StrCat("--steps=", absl::GetFlag(FLAGS_steps)),
      absl::StrCat("--out=", options.out_dir),
      absl::StrCat("--configs_dir=", stage, "/eval/configs"),
      absl::StrCat("--paper_scores=", stage, "/eval/paper_scores.textproto"),
      absl::StrCat("--cache_dir=", cache_dir),
      absl::StrCat("--dataset_seed=", absl::GetFlag(FLAGS_dataset_seed)),
      absl::StrCat("--precision=", absl::GetFlag(FLAGS_precision)),
      absl::StrCat("--search_user_datasets=",
                   absl::GetFlag(FLAGS_search_user_datasets) ? "true" : "false"),
      absl::StrCat("--shared_stages=", options.shared_stage_dir.empty()
                                           ? std::string("none")
                                           : AbsolutePath(options.shared_stage_dir)),
      "--jobs=1",
      "--progress=false",
  };
  if (plan) {
    common.push_back(absl::StrCat("--experiment=", plan->experiment.name()));
    common.push_back(absl::StrCat("--experiments=", stage, "/eval/experiments.textproto"));
    common.push_back(absl::StrCat("--tasks=", absl::GetFlag(FLAGS_tasks)));
    common.push_back(absl::StrCat("--methods=", absl::GetFlag(FLAGS_methods)));
  } else {
    common.push_back(absl::StrCat("--tasks=", absl::StrJoin(options.tasks, ",")));
    common.push_back(absl::StrCat("--methods=", absl::StrJoin(options.methods, ",")));
  }
  if (!absl::GetFlag(FLAGS_dataset_dir).empty()) {
    common.push_back(
        absl::StrCat("--dataset_dir=", AbsolutePath(UserPath(absl::GetFlag(FLAGS_dataset_dir)))));
  }
  if (!absl::GetFlag(FLAGS_minari_dir).empty()) {
    common.push_back(
        absl::StrCat("--minari_dir=", AbsolutePath(UserPath(absl::GetFlag(FLAGS_minari_dir)))));
  }
  for (const auto& [name, value] :
       {std::pair<const char*, std::string>{"minari_id", absl::GetFlag(FLAGS_minari_id)},
        {"minari_observation_keys", absl::GetFlag(FLAGS_minari_observation_keys)}}) {
    if (!value.empty()) common.push_back(absl::StrCat("--", name, "=", value));
  }
  SlurmResources resources;
  resources.cpus_per_task = std::max(1, absl::GetFlag(FLAGS_slurm_cpus_per_task));
  resources.memory = absl::GetFlag(FLAGS_slurm_mem);
  resources.time_limit = absl::GetFlag(FLAGS_slurm_time);
  resources.max_running = absl::GetFlag(FLAGS_slurm_max_running);
  resources.sbatch_args = absl::StrSplit(absl::GetFlag(FLAGS_sbatch_args), ' ', absl::SkipEmpty());
  const std::string threads = absl::StrCat("--threads=", resources.cpus_per_task);
  sweep.run_command = common;
  sweep.run_command.push_back(threads);
  sweep.prepare_command = sweep.run_command;
  sweep.prepare_command.push_back("--prepare_datasets");
  sweep.report_command = common;
  sweep.report_command.push_back("--threads=1");
  sweep.report_command.push_back("--collect");
  sweep.environment = {{"ROMI_POLICY_DIR", stage + "/datagen/policies"}};

  // A resubmission trains only what is left.
  absl::StatusOr<std::vector<std::string>> unfinished = UnfinishedRuns(options);
  if (!unfinished.ok()) return Fail(unfinished.status());
  sweep.runs = *unfinished;
  for (const std::string& key : sweep.runs) {
    std::string task, method;
    uint64_t seed = 0;
    if (absl::Status parsed = ParseRunKey(key, &task, &method, &seed); !parsed.ok()) {
      return Fail(parsed);
    }
    sweep.run_dirs.push_back(RunDirectory(options.out_dir, task, method, seed));
  }
  const size_t planned = options.tasks.size() * options.methods.size() * options.seeds.size();
  absl::StatusOr<SlurmSubmission> submission = SubmitSweep(sweep, resources, sbatch, dry_run);
  if (!submission.ok()) return Fail(submission.status());
  if (dry_run) {
    for (const std::string& path : submission->scripts) {
      std::ifstream in(path);
      std::printf("==> %s <==\n%s\n", path.c_str(),
                  std::string(std::istreambuf_iterator<char>(in), {}).c_str());
    }
    std::printf("Would submit (dry run, nothing submitted):\n");
    for (const std::string& command : submission->commands) std::printf("  %s\n", command.c_str());
    return 0;
  }
  std::printf("%zu of %zu runs to train", sweep.runs.size(), planned);
  if (!sweep.runs.empty()) {
    std::printf(": prepare job %s, runs job array %s (%zu tasks)", submission->prepare_job.c_str(),
                submission->runs_job.c_str(), sweep.runs.size());
  }
  std::vector<std::string> jobs;
  for (const std::string* id :
       {&submission->prepare_job, &submission->runs_job, &submission->report_job}) {
    if (!id->empty()) jobs.push_back(*id);
  }
  std::printf(
      "; report job %s.\nResults: %s/results.md when the report job ends (before: rerun with "
      "--collect).\nWatch: squeue -j %s. Resume or extend: rerun this command.\n",
      submission->report_job.c_str(), options.out_dir.c_str(), absl::StrJoin(jobs, ",").c_str());
  return 0;
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
  if (!absl::GetFlag(FLAGS_precision).empty()) {
    absl::StatusOr<Budget> with_precision =
        WithLearnerPrecision(options.budget, absl::GetFlag(FLAGS_precision));
    if (!with_precision.ok()) return Fail(with_precision.status());
    options.budget = *std::move(with_precision);
  }
  options.learner_steps = absl::GetFlag(FLAGS_steps);
  absl::StatusOr<PaperScores> paper = LoadPaperScores(absl::GetFlag(FLAGS_paper_scores));
  if (!paper.ok()) return Fail(paper.status());
  options.paper = *paper;
  const std::string default_out = absl::StrCat(
      "runs/", plan ? plan->experiment.name() : "d4rl_suite", "-", options.budget.name());
  options.out_dir =
      UserPath(absl::GetFlag(FLAGS_out).empty() ? default_out : absl::GetFlag(FLAGS_out));
  const std::string shared_stages = absl::GetFlag(FLAGS_shared_stages);
  options.shared_stage_dir = shared_stages == "none" ? ""
                             : shared_stages.empty()
                                 ? absl::StrCat(options.out_dir, "/shared_stages")
                                 : UserPath(shared_stages);
  options.progress = absl::GetFlag(FLAGS_progress);
  const std::string launcher = absl::GetFlag(FLAGS_launcher);
  if (launcher != "local" && launcher != "slurm") {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--launcher: '", launcher, "' is neither local nor slurm")));
  }
  options.collect_only = absl::GetFlag(FLAGS_collect);
  if (options.collect_only && plan && plan->experiment.kind() == Experiment::MODEL_ERROR) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(plan->experiment.name(),
                     " has no runs to collect: it trains its models in one process; rerun it "
                     "to resume")));
  }
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.jobs = absl::GetFlag(FLAGS_jobs) > 0 ? absl::GetFlag(FLAGS_jobs) : cores;
  // Collecting reads result files: nothing to spread over workers.
  if (options.collect_only) options.jobs = 1;
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
  request.minari_dir = UserPath(absl::GetFlag(FLAGS_minari_dir));
  request.minari_id = absl::GetFlag(FLAGS_minari_id);
  request.minari_observation_keys = SplitList(absl::GetFlag(FLAGS_minari_observation_keys));
  if (!request.minari_id.empty() && options.tasks.size() != 1) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--minari_id names the dataset of one task; the suite has ", options.tasks.size())));
  }
  options.datasets = DatasetSourceProvider(request);
  learners::SetIntraOpThreads(threads);
  // Model training allocates as much per step as a learner does: keep freed memory for reuse.
  learners::KeepFreedMemory();

  if (launcher == "slurm" && !options.collect_only && absl::GetFlag(FLAGS_run).empty() &&
      !absl::GetFlag(FLAGS_prepare_datasets)) {
    return LaunchOnSlurm(options, plan, budget_path);
  }
  if (absl::GetFlag(FLAGS_prepare_datasets)) {
    const absl::Status prepared = PrepareDatasets(options);
    return prepared.ok() ? 0 : Fail(prepared);
  }

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
    const bool discrepancy = plan->experiment.kind() == Experiment::TRAJECTORY_DISCREPANCY;
    std::printf("\n%s, budget '%s' (ours: %s, mean ± std over seeds; paper: mean ± std)\n\n%s\n",
                plan->experiment.title().c_str(), options.budget.name().c_str(),
                model_error   ? "the elites' one-step MSE on held-out transitions"
                : discrepancy ? "the final policy's average trajectory discrepancy (Eq. 5)"
                              : "the final policy's D4RL normalized score",
                RenderExperiment(*plan, *results, options.paper).c_str());
    if (model_error) {
      std::printf("%s. Report: %s/%s\n", WallTimeText(*results).c_str(), options.out_dir.c_str(),
                  ExperimentReportName(plan->experiment).c_str());
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
        "seeds; paper: mean ± std over 3 seeds, from the table eval/paper_scores.textproto names "
        "per "
        "cell)\n\n%s\n",
        options.budget.name().c_str(),
        RenderTable(*results, options.paper, options.methods).c_str());
  }
  std::printf("%s\n\n%s\n", kCellsExplained,
              RenderCells(*results, options.paper, options.methods).c_str());
  std::printf(
      "Per run (imagined-data error: the model buffer replayed in the simulator, 0 = exact)"
      "\n\n%s\n",
      RenderDiagnostics(*results).c_str());
  std::printf("%s. Report: %s/%sresults.{md,csv,json}, curves.csv, curves_*.png\n",
              WallTimeText(*results).c_str(), options.out_dir.c_str(),
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
