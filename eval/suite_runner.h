// The D4RL suite: tasks x methods x seeds of ROMI's pipeline (romi/pipeline.h), each policy
// evaluated in the native simulator at every checkpoint, gathered into one SuiteResults.
//
// Layout of the output directory:
//   <out>/runs/<task>/<method>/seed<k>/   the pipeline's run directory (config, checkpoints), plus
//        curve.textproto                   the evaluations so far (rewritten atomically)
//        result.textproto                  the finished run; a rerun skips runs that have one
//   <out>/results.{json,csv,md}, curves.csv, curves_<task>.png   (eval/report.h)
// An interrupted suite resumes: finished runs are read back, an unfinished run resumes at its
// pipeline stage and learner checkpoint, and evaluations already made are kept.
#ifndef ROMI_EVAL_SUITE_RUNNER_H_
#define ROMI_EVAL_SUITE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "data/dataset_source.h"
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

// Datasets from data/dataset_source.h: `request` with each task and size filled in (a user's D4RL
// file, the cache, or generation), built with d4rl's qlearning_dataset semantics.
DatasetProvider DatasetSourceProvider(data::DatasetRequest request);

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
  int eval_threads = 1;
  bool progress = true;  // progress bars on stderr
};

// Runs (or resumes) every run and writes the report. Errors name the task, method and seed.
absl::StatusOr<SuiteResults> RunSuite(const SuiteOptions& options);

}  // namespace romi::eval

#endif  // ROMI_EVAL_SUITE_RUNNER_H_
