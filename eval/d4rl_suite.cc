// The main job: ROMI and its baselines on D4RL tasks, scored in the native simulators, beside the
// paper's numbers.
//
//   bazel run //eval:d4rl_suite                      # the default: about 15 minutes on 2 cores
//   bazel run //eval:d4rl_suite -- --tasks=maze2d-umaze-v1,maze2d-medium-v1 --seeds=0,1,2
//   bazel run //eval:d4rl_suite -- --budget=paper --methods=romi-bcq,bcq
//   bazel run //eval:d4rl_suite -- --dataset_dir=/data/d4rl      # D4RL's own .hdf5 files
//
// The default runs maze2d-umaze-v1 (sparse) with romi-bcq, fomi-bcq and bcq, one seed, under the
// "quick" budget (eval/configs/budget_quick.textproto): the same reduced budget for every method.
// Rerunning with the same --out resumes an interrupted suite.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "data/dataset_source.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "eval/suite_runner.h"
#include "learners/runtime.h"
#include "romi/base/blas_tuning.h"

ABSL_FLAG(std::string, tasks, "maze2d-umaze-v1", "Comma-separated D4RL task names.");
ABSL_FLAG(std::string, methods, "romi-bcq,fomi-bcq,bcq",
          "Comma-separated methods: romi-bcq, fomi-bcq, bcq, romi-cql, fomi-cql, cql, bc.");
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
ABSL_FLAG(std::string, cache_dir, "", "Where generated datasets are cached (default: ~/.cache/romi).");
ABSL_FLAG(uint64_t, dataset_seed, 0, "Seed of generated datasets.");
ABSL_FLAG(std::string, configs_dir, "eval/configs", "Task configs and budgets.");
ABSL_FLAG(std::string, paper_scores, "eval/paper_scores.textproto", "The paper's numbers.");
ABSL_FLAG(int, threads, 0, "Intra-op threads for training (0: one per core).");
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

int Main() {
  SuiteOptions options;
  options.tasks = SplitList(absl::GetFlag(FLAGS_tasks));
  options.methods = SplitList(absl::GetFlag(FLAGS_methods));
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
      budget_flag.find('/') != std::string::npos || budget_flag.find(".textproto") != std::string::npos
          ? UserPath(budget_flag)
          : absl::StrCat(options.configs_dir, "/budget_", budget_flag, ".textproto");
  absl::StatusOr<Budget> budget = LoadBudget(budget_path);
  if (!budget.ok()) return Fail(budget.status());
  options.budget = *budget;
  options.learner_steps = absl::GetFlag(FLAGS_steps);
  absl::StatusOr<PaperScores> paper = LoadPaperScores(absl::GetFlag(FLAGS_paper_scores));
  if (!paper.ok()) return Fail(paper.status());
  options.paper = *paper;
  options.out_dir = absl::GetFlag(FLAGS_out).empty()
                        ? UserPath(absl::StrCat("runs/d4rl_suite-", options.budget.name()))
                        : UserPath(absl::GetFlag(FLAGS_out));
  options.progress = absl::GetFlag(FLAGS_progress);
  options.eval_threads = static_cast<int>(std::thread::hardware_concurrency());
  data::DatasetRequest request;
  request.seed = absl::GetFlag(FLAGS_dataset_seed);
  request.dataset_dir = UserPath(absl::GetFlag(FLAGS_dataset_dir));
  request.cache_dir = UserPath(absl::GetFlag(FLAGS_cache_dir));
  options.datasets = DatasetSourceProvider(request);
  learners::SetIntraOpThreads(absl::GetFlag(FLAGS_threads));
  // Model training allocates as much per step as a learner does: keep freed memory for reuse.
  learners::KeepFreedMemory();

  std::fprintf(stderr, "d4rl_suite: tasks %s; methods %s; seeds %s; budget %s; output %s\n",
               absl::GetFlag(FLAGS_tasks).c_str(), absl::GetFlag(FLAGS_methods).c_str(),
               absl::GetFlag(FLAGS_seeds).c_str(), options.budget.name().c_str(),
               options.out_dir.c_str());
  absl::StatusOr<SuiteResults> results = RunSuite(options);
  if (!results.ok()) return Fail(results.status());
  std::printf("\nD4RL normalized scores, budget '%s' (ours: mean ± std; paper: its Tables 1-3, 8, 9)\n\n%s\n",
              options.budget.name().c_str(),
              RenderTable(*results, options.paper, options.methods).c_str());
  std::printf("Per run (imagined-data error: the model buffer replayed in the simulator, 0 = exact)"
              "\n\n%s\n",
              RenderDiagnostics(*results).c_str());
  std::printf("Wall time %.0f s. Report: %s/results.{md,csv,json}, curves.csv, curves_*.png\n",
              results->wall_seconds(), options.out_dir.c_str());
  return 0;
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
  return romi::eval::Main();
}
