// The paper's experiments as presets of the suite (eval/experiments.textproto): which rows
// (tasks) and columns (methods) each table has, which of its rows this build can run, and the
// report shaped like the paper's table, ours beside the paper's numbers.
//
//   bazel run //eval:d4rl_suite -- --experiment=table10 [--budget=long] [--seeds=0,1,2]
//
// A row whose environment is not built (antmaze today) is listed with the reason and not run;
// `--tasks` picks some rows and `--methods` some columns of an experiment.
#ifndef ROMI_EVAL_EXPERIMENT_H_
#define ROMI_EVAL_EXPERIMENT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eval/suite.pb.h"
#include "eval/suite_runner.h"

namespace romi::eval {

// Reads the presets; InvalidArgument naming the file for a preset without tasks or columns, a
// duplicate name, or a column whose method eval/methods.h does not know.
absl::StatusOr<Experiments> LoadExperiments(const std::string& path);

// The preset called `name`; NotFound listing the known names.
absl::StatusOr<Experiment> FindExperiment(const Experiments& experiments, const std::string& name);

// What a suite runs of an experiment.
struct ExperimentPlan {
  Experiment experiment;
  std::vector<std::string> tasks;                   // rows to run, in the paper's order
  std::vector<std::string> methods;                 // columns to run, in the paper's order
  std::map<std::string, std::string> skipped_rows;  // task -> why it is not run
};

// The rows and columns to run: all of the experiment's, or those in `only_tasks` /
// `only_methods` when non-empty (InvalidArgument for a name the experiment does not have). Rows
// whose environment is not registered are skipped with the registry's reason.
absl::StatusOr<ExperimentPlan> PlanExperiment(const Experiment& experiment,
                                              const std::vector<std::string>& only_tasks,
                                              const std::vector<std::string>& only_methods);

// The paper-shaped markdown table: one row per task of the experiment (all of them, in the
// paper's order), per column "ours" (final-policy score, mean ± std over seeds) and "paper";
// cells of rows or columns not run say so, failed runs are marked, and the reasons follow the
// table.
std::string RenderExperiment(const ExperimentPlan& plan, const SuiteResults& results,
                             const PaperScores& paper);

// The paper's number for a cell as the table prints it: the experiment's own paper numbers first
// (Table 5's MSEs, 4 decimals), then `paper`'s scores (1 decimal); "n/a" where neither has one.
// The paper's number for a cell: the experiment's own `paper` entry (a table whose number differs
// from eval/paper_scores.textproto's, or that is not a score), else for a table of scores the
// shared one; nullptr where the paper gives none.
const PaperScore* PaperNumber(const Experiment& experiment, const PaperScores& paper,
                              const std::string& task, const std::string& method);
std::string PaperCellText(const Experiment& experiment, const PaperScores& paper,
                          const std::string& task, const std::string& method);

// The report file's name in a suite's output directory: experiment_<name>.md.
std::string ExperimentReportName(const Experiment& experiment);

// Writes RenderExperiment (with a heading, the budget and what the numbers are) atomically to
// <out_dir>/ExperimentReportName().
// model_error_<task>.dat of a MODEL_ERROR experiment: a header "dimension forward-model
// reverse-model", then per target dimension (r, s0, s1, ...) the two directions' test MSE, mean
// over seeds (NaN where a direction has no run); "" without per-dimension results.
std::string ModelErrorBars(const SuiteResults& results, const std::string& task);

absl::Status WriteExperimentReport(const ExperimentPlan& plan, const SuiteResults& results,
                                   const PaperScores& paper, const std::string& out_dir);

// Runs the plan's rows and columns as a suite (`options`' tasks and methods are replaced by the
// plan's) and keeps <out_dir>/ExperimentReportName() current as runs finish, beside the suite's
// own report. A plan with no runnable row or column runs nothing and writes the report with
// every row marked.
absl::StatusOr<SuiteResults> RunExperiment(const ExperimentPlan& plan, SuiteOptions options);

}  // namespace romi::eval

#endif  // ROMI_EVAL_EXPERIMENT_H_
