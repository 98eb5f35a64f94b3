// The D4RL suite: tasks x methods x seeds of ROMI's pipeline (romi/pipeline.h), each policy
// evaluated in the native simulator at every checkpoint, gathered into one SuiteResults.
//
// Layout of the output directory:
//   <out>/runs/<task>/<method>/seed<k>/   the pipeline's run directory (config, checkpoints), plus
//        curve.textproto                   the evaluations so far (rewritten atomically)
//        result.textproto                  the finished run; a rerun skips runs that have one
//        log.txt                           the run's stages, losses and evaluations
//        worker.log                        with jobs > 1: the worker process's stdout and stderr
//        run.lock                          held while a process trains the run
//   <out>/results.{json,csv,md}, curves.csv, curves_<task>.png   (eval/report.h)
//   <out>/shared_stages/                   (by default) model stages made once for the runs that
//                                          share them (romi/pipeline.h), linked into their run dirs
//   <out>/suite.lock                       held while a suite runs here: a second suite on the
//                                          same directory stops at once with an error naming it
// An interrupted suite resumes: finished runs are read back, an unfinished run resumes at its
// pipeline stage and learner checkpoint, and evaluations already made are kept. A finished run
// asked for more learner steps than it has is extended from its last checkpoint (the same result
// as a run trained to the larger step count at once). Evaluation: eval/evaluation_protocol.h.
//
// Concurrent runs: with jobs > 1 each (task, method, seed) runs in a worker process of its own
// (`worker_command` plus --run=<task>,<method>,<seed>), at most `jobs` at a time. A run's result
// depends on its torch thread count (sharded updates and reductions split work by threads), not
// on how many runs share the machine: for the same threads per run, jobs = 1 and jobs = N give
// bit-identical results. A run that fails is listed in SuiteResults.failed and the others go on;
// the report is rewritten each time a run finishes.
#ifndef ROMI_EVAL_SUITE_RUNNER_H_
#define ROMI_EVAL_SUITE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "datagen/dataset_source.h"
#include "eval/suite.pb.h"

namespace romi::eval {

// The dataset of a task; `source` says where it came from (a D4RL file, a cached or newly
// generated dataset). `rows` is the budget's dataset size (0: D4RL's size).
struct TaskData {
  data::Dataset dataset;
  std::string source;
};
using DatasetProvider =
    std::function<absl::StatusOr<TaskData>(const std::string& task, int64_t rows)>;

// Datasets from datagen/dataset_source.h: `request` with each task and size filled in (a user's
// D4RL file, the cache, or generation), built with d4rl's qlearning_dataset semantics.
DatasetProvider DatasetSourceProvider(datagen::DatasetRequest request);

struct SuiteOptions {
  std::vector<std::string> tasks;
  std::vector<std::string> methods;
  std::vector<uint64_t> seeds;
  Budget budget;
  int64_t learner_steps = 0;  // > 0: overrides the budget's learner steps
  std::string configs_dir = "eval/configs";
  std::string out_dir;
  PaperScores paper;
  DatasetProvider datasets;
  // Where runs share the model stages they would make identically (romi/pipeline.h); empty:
  // every run makes its own.
  std::string shared_stage_dir;
  int eval_threads = 1;
  bool progress = true;  // progress bars on stderr
  // Runs at the same time, each in its own worker process (1: one after another, in this process).
  int jobs = 1;
  // With jobs > 1: a command that runs one run of this suite when --run=<task>,<method>,<seed> is
  // appended (the d4rl_suite binary with the suite's flags).
  std::vector<std::string> worker_command;
  // Called with the results so far each time the report is rewritten (a run finished): e.g. an
  // experiment's own table (eval/experiment.h).
  std::function<absl::Status(const SuiteResults&)> on_report;
  // Train nothing: rebuild the report from the runs that have finished, the others listed as not
  // started, running, or failed (stopped without a result, with their log's last line).
  bool collect_only = false;
};

// Runs (or resumes) every run and writes the report. Runs that fail are listed in the result's
// `failed`; errors before any training (unknown task or method, bad budget) are returned.
absl::StatusOr<SuiteResults> RunSuite(const SuiteOptions& options);

// One run of the suite (what a worker process does): its result, also written to its run
// directory. Errors name the task, method and seed.
absl::StatusOr<RunResult> RunOne(const SuiteOptions& options, const std::string& task,
                                 const std::string& method, uint64_t seed);

// The suite's runs (as RunKey) without a result at the asked learner steps, in the suite's order:
// what a resubmitted cluster job still has to run. The datasets are not read here (a submission
// may precede their generation): runs are checked against the last recorded data (TaskDataPath).
absl::StatusOr<std::vector<std::string>> UnfinishedRuns(const SuiteOptions& options);

// <out_dir>/runs/<task>/data.fingerprint: the data the suite last loaded for the task, recorded
// each time it does (RunSuite, PrepareDatasets). A run directory records the data it was made
// from in its own data.fingerprint; a finished run whose record differs is not reported (it is
// retrained, and refuses, naming the file), also where the data is not loaded (--collect,
// UnfinishedRuns).
std::string TaskDataPath(const std::string& out_dir, const std::string& task);

// Loads (generating where needed) every task's dataset and records it (TaskDataPath): what a
// cluster sweep does once before its runs start.
absl::Status PrepareDatasets(const SuiteOptions& options);

// <out_dir>/runs/<task>/<method>/seed<k>: a run's directory.
std::string RunDirectory(const std::string& out_dir, const std::string& task,
                         const std::string& method, uint64_t seed);

// "task,method,seed" as the worker's --run flag spells it, and back.
std::string RunKey(const std::string& task, const std::string& method, uint64_t seed);
absl::Status ParseRunKey(const std::string& key, std::string* task, std::string* method,
                         uint64_t* seed);

}  // namespace romi::eval

#endif  // ROMI_EVAL_SUITE_RUNNER_H_
