#include "eval/experiment.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/atomic_file.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "envs/registry.h"
#include "eval/methods.h"
#include "eval/model_error_runs.h"
#include "eval/report.h"

namespace romi::eval {
namespace {

// Table 5's MSEs span 0.0003 to 1.5.
constexpr int kMseDecimals = 4;
// Figure 4's discrepancies lie between 0.05 and 0.4.
constexpr int kDiscrepancyDecimals = 3;

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> ColumnMethods(const Experiment& experiment) {
  std::vector<std::string> methods;
  for (const ExperimentColumn& column : experiment.column()) methods.push_back(column.method());
  return methods;
}

absl::Status CheckExperiment(const Experiment& experiment, const std::string& path) {
  const std::string where = absl::StrCat(path, ": experiment '", experiment.name(), "'");
  if (experiment.name().empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": an experiment without a name"));
  if (experiment.task().empty() || experiment.column().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " needs tasks and columns"));
  }
  for (const ExperimentColumn& column : experiment.column()) {
    if (const absl::Status known =
            experiment.kind() == Experiment::MODEL_ERROR
                ? CheckModelName(column.method())
                : MethodRunConfig(column.method(), TaskConfig(), Budget(), 0).status();
        !known.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", known.message()));
    }
  }
  if (experiment.has_delta()) {
    const std::vector<std::string> methods = ColumnMethods(experiment);
    if (!Contains(methods, experiment.delta().minuend()) ||
        !Contains(methods, experiment.delta().subtrahend())) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": the delta column subtracts methods that are not its columns"));
    }
  }
  return absl::OkStatus();
}

// The seeds the results hold, for the report's heading.
std::string SeedsText(const SuiteResults& results) {
  std::set<uint64_t> seeds;
  for (const RunResult& run : results.run()) seeds.insert(run.seed());
  for (const FailedRun& run : results.failed()) seeds.insert(run.seed());
  for (const MissingRun& run : results.missing()) seeds.insert(run.seed());
  for (const ModelErrorResult& run : results.model_error()) seeds.insert(run.seed());
  return seeds.empty() ? "none yet" : absl::StrJoin(seeds, ",");
}

int FailedCount(const SuiteResults& results, const std::string& task, const std::string& method) {
  int failed = 0;
  for (const FailedRun& run : results.failed()) {
    if (run.task() == task && run.method() == method) ++failed;
  }
  return failed;
}

std::string OursText(const ExperimentPlan& plan, const SuiteResults& results,
                     const std::string& task, const std::string& method) {
  if (plan.skipped_rows.count(task) > 0 || !Contains(plan.tasks, task) ||
      !Contains(plan.methods, method)) {
    return "not run";
  }
  if (plan.experiment.kind() == Experiment::MODEL_ERROR) {
    std::vector<double> errors;
    for (const ModelErrorResult& run : results.model_error()) {
      if (run.task() == task && run.model() == method) errors.push_back(run.test_mse());
    }
    if (errors.empty()) return "pending";
    const MeanStd stats = PopulationMeanStd(errors);
    return SeedSummaryText({stats.mean, stats.std, static_cast<int>(errors.size())}, kMseDecimals);
  }
  const bool discrepancy = plan.experiment.kind() == Experiment::TRAJECTORY_DISCREPANCY;
  const SeedSummary ours = discrepancy ? DiscrepancyOverSeeds(results, task, method)
                                       : FinalScoreOverSeeds(results, task, method);
  const int failed = FailedCount(results, task, method);
  if (ours.seeds == 0) return failed > 0 ? "failed" : "pending";
  std::string text = SeedSummaryText(ours, discrepancy ? kDiscrepancyDecimals : 1);
  if (failed > 0) absl::StrAppend(&text, " (", failed, " failed)");
  return text;
}

std::string DeltaText(const SeedSummary& minuend, const SeedSummary& subtrahend) {
  if (minuend.seeds == 0 || subtrahend.seeds == 0) return "—";
  return absl::StrFormat("%+.1f", minuend.mean - subtrahend.mean);
}

}  // namespace

absl::StatusOr<Experiments> LoadExperiments(const std::string& path) {
  Experiments experiments;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &experiments));
  std::set<std::string> names;
  for (const Experiment& experiment : experiments.experiment()) {
    ROMI_RETURN_IF_ERROR(CheckExperiment(experiment, path));
    if (!names.insert(experiment.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": experiment '", experiment.name(), "' is defined twice"));
    }
  }
  return experiments;
}

absl::StatusOr<Experiment> FindExperiment(const Experiments& experiments, const std::string& name) {
  std::vector<std::string> names;
  for (const Experiment& experiment : experiments.experiment()) {
    if (experiment.name() == name) return experiment;
    names.push_back(experiment.name());
  }
  return absl::NotFoundError(
      absl::StrCat("unknown experiment '", name, "'; known: ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<ExperimentPlan> PlanExperiment(const Experiment& experiment,
                                              const std::vector<std::string>& only_tasks,
                                              const std::vector<std::string>& only_methods) {
  const std::vector<std::string> tasks(experiment.task().begin(), experiment.task().end());
  const std::vector<std::string> methods = ColumnMethods(experiment);
  for (const std::string& task : only_tasks) {
    if (!Contains(tasks, task)) {
      return absl::InvalidArgumentError(absl::StrCat("experiment '", experiment.name(),
                                                     "' has no row '", task,
                                                     "'; its rows: ", absl::StrJoin(tasks, ", ")));
    }
  }
  for (const std::string& method : only_methods) {
    if (!Contains(methods, method)) {
      return absl::InvalidArgumentError(
          absl::StrCat("experiment '", experiment.name(), "' has no column '", method,
                       "'; its columns: ", absl::StrJoin(methods, ", ")));
    }
  }
  ExperimentPlan plan;
  plan.experiment = experiment;
  for (const std::string& task : tasks) {
    if (!only_tasks.empty() && !Contains(only_tasks, task)) continue;
    if (const absl::Status env = envs::FindSpec(task).status(); !env.ok()) {
      plan.skipped_rows[task] = std::string(env.message());
      continue;
    }
    plan.tasks.push_back(task);
  }
  for (const std::string& method : methods) {
    if (only_methods.empty() || Contains(only_methods, method)) plan.methods.push_back(method);
  }
  return plan;
}

std::string RenderExperiment(const ExperimentPlan& plan, const SuiteResults& results,
                             const PaperScores& paper) {
  const Experiment& experiment = plan.experiment;
  auto paper_text = [&](const std::string& task, const std::string& method) {
    return PaperCellText(experiment, paper, task, method);
  };
  std::string table = "| task |";
  std::string rule = "|---|";
  for (const ExperimentColumn& column : experiment.column()) {
    absl::StrAppend(&table, " ", column.header(), " (ours) | ", column.header(), " (paper) |");
    rule += "---:|---:|";
  }
  if (experiment.has_delta()) {
    absl::StrAppend(&table, " ", experiment.delta().header(), " (ours) | ",
                    experiment.delta().header(), " (paper) |");
    rule += "---:|---:|";
  }
  table += "\n" + rule + "\n";
  for (const std::string& task : experiment.task()) {
    table += "| " + task + " |";
    for (const ExperimentColumn& column : experiment.column()) {
      absl::StrAppend(&table, " ", OursText(plan, results, task, column.method()), " | ",
                      paper_text(task, column.method()), " |");
    }
    if (experiment.has_delta()) {
      const std::string& minuend = experiment.delta().minuend();
      const std::string& subtrahend = experiment.delta().subtrahend();
      const PaperScore* paper_minuend = PaperNumber(experiment, paper, task, minuend);
      const PaperScore* paper_subtrahend = PaperNumber(experiment, paper, task, subtrahend);
      const std::string paper_delta =
          paper_minuend != nullptr && paper_subtrahend != nullptr
              ? absl::StrFormat("%+.1f", paper_minuend->mean() - paper_subtrahend->mean())
              : "n/a";
      absl::StrAppend(&table, " ",
                      DeltaText(FinalScoreOverSeeds(results, task, minuend),
                                FinalScoreOverSeeds(results, task, subtrahend)),
                      " | ", paper_delta, " |");
    }
    table += "\n";
  }
  std::string notes;
  for (const std::string& task : experiment.task()) {
    const auto skipped = plan.skipped_rows.find(task);
    if (skipped != plan.skipped_rows.end()) {
      absl::StrAppend(&notes, "- ", task, ": not run: ", skipped->second, "\n");
    }
  }
  for (const FailedRun& failed : results.failed()) {
    absl::StrAppendFormat(&notes, "- %s %s seed %d failed: %s\n", failed.task(), failed.method(),
                          failed.seed(), failed.error());
  }
  for (const MissingRun& missing : results.missing()) {
    absl::StrAppendFormat(&notes, "- %s %s seed %d: %s\n", missing.task(), missing.method(),
                          missing.seed(), missing.state());
  }
  std::string details;
  if (results.model_error_size() > 0) {
    absl::StrAppend(&details,
                    "| task | model | seed | test MSE | hold-out MSE | epochs | train rows | "
                    "test rows | wall s |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const ModelErrorResult& run : results.model_error()) {
      absl::StrAppendFormat(&details, "| %s | %s | %d | %.6f | %.6f | %d | %d | %d | %.0f |\n",
                            run.task(), run.model(), run.seed(), run.test_mse(), run.holdout_mse(),
                            run.epochs(), run.train_rows(), run.test_rows(), run.wall_seconds());
    }
  }
  if (experiment.omitted_column_size() > 0) {
    absl::StrAppend(&notes,
                    "- the paper's other columns, baselines this project does not implement: ",
                    absl::StrJoin(experiment.omitted_column(), ", "), "\n");
  }
  if (!notes.empty()) absl::StrAppend(&table, "\n", notes);
  if (!details.empty()) absl::StrAppend(&table, "\n", details);
  return table;
}

const PaperScore* PaperNumber(const Experiment& experiment, const PaperScores& paper,
                              const std::string& task, const std::string& method) {
  for (const PaperScore& score : experiment.paper()) {
    if (score.task() == task && score.method() == method) return &score;
  }
  // Normalized scores are the paper's numbers only for a table of scores.
  return experiment.kind() == Experiment::SCORES ? FindPaperScore(paper, task, method) : nullptr;
}

std::string PaperCellText(const Experiment& experiment, const PaperScores& paper,
                          const std::string& task, const std::string& method) {
  const PaperScore* number = PaperNumber(experiment, paper, task, method);
  if (number == nullptr && experiment.has_paper_figure()) return experiment.paper_figure();
  switch (experiment.kind()) {
    case Experiment::MODEL_ERROR:
      return PaperScoreText(number, kMseDecimals);
    case Experiment::TRAJECTORY_DISCREPANCY:
      return PaperScoreText(number, kDiscrepancyDecimals);
    default:
      return PaperScoreText(number);
  }
}

std::string ExperimentReportName(const Experiment& experiment) {
  return absl::StrCat("experiment_", experiment.name(), ".md");
}

std::string ModelErrorBars(const SuiteResults& results, const std::string& task) {
  // Per direction, per dimension: the seeds' values.
  std::map<std::string, std::vector<std::vector<double>>> values;
  size_t dims = 0;
  for (const ModelErrorResult& run : results.model_error()) {
    if (run.task() != task || run.test_mse_per_dimension_size() == 0) continue;
    auto& per_dimension = values[run.model()];
    dims = std::max<size_t>(dims, run.test_mse_per_dimension_size());
    per_dimension.resize(dims);
    for (int d = 0; d < run.test_mse_per_dimension_size(); ++d) {
      per_dimension[d].push_back(run.test_mse_per_dimension(d));
    }
  }
  if (dims == 0) return "";
  std::string data = absl::StrCat("dimension ", kForwardModel, " ", kReverseModel, "\n");
  for (size_t d = 0; d < dims; ++d) {
    absl::StrAppend(&data, d == 0 ? "r" : absl::StrCat("s", d - 1));
    for (const char* model : {kForwardModel, kReverseModel}) {
      const auto found = values.find(model);
      if (found == values.end() || found->second.size() <= d || found->second[d].empty()) {
        data += " NaN";  // gnuplot leaves the bar out
      } else {
        absl::StrAppendFormat(&data, " %.6g", PopulationMeanStd(found->second[d]).mean);
      }
    }
    data += "\n";
  }
  return data;
}

namespace {

// model_error_<task>.dat and .png: forward vs reverse test MSE per target dimension.
absl::Status PlotModelErrors(const SuiteResults& results, const std::string& out_dir) {
  std::vector<std::string> tasks;
  for (const ModelErrorResult& run : results.model_error()) {
    if (std::find(tasks.begin(), tasks.end(), run.task()) == tasks.end()) {
      tasks.push_back(run.task());
    }
  }
  const bool have_gnuplot = GnuplotAvailable();
  for (const std::string& task : tasks) {
    const std::string data = ModelErrorBars(results, task);
    if (data.empty()) continue;
    const std::string stem = absl::StrCat(out_dir, "/model_error_", task);
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(stem + ".dat", data));
    if (!have_gnuplot) continue;
    // A direction without runs yet (the report is rewritten after each run) has no bars.
    std::vector<std::string> bars;
    bool positive = true;  // a log scale needs every bar above 0
    for (const ModelErrorResult& run : results.model_error()) {
      for (const double mse : run.test_mse_per_dimension())
        positive &= run.task() != task || mse > 0;
    }
    for (int column = 2; column <= 3; ++column) {
      const char* model = column == 2 ? kForwardModel : kReverseModel;
      const bool measured = std::any_of(results.model_error().begin(), results.model_error().end(),
                                        [&](const ModelErrorResult& run) {
                                          return run.task() == task && run.model() == model &&
                                                 run.test_mse_per_dimension_size() > 0;
                                        });
      if (measured) {
        bars.push_back(absl::StrFormat("'%s.dat' using %d:xtic(1) title columnheader(%d)", stem,
                                       column, column));
      }
    }
    ROMI_RETURN_IF_ERROR(RunGnuplot(
        stem + ".gp",
        absl::StrFormat("set terminal pngcairo size 900,480 noenhanced\nset output '%s.png'\n"
                        "set title '%s: one-step test MSE per target dimension (mean over seeds)'\n"
                        "set style data histograms\nset style histogram clustered gap 1\n"
                        "set style fill solid 0.8 border -1\n%sset grid ytics\n"
                        "set ylabel 'MSE%s'\nset xlabel 'r = reward, s<i> = state dimension i'\n"
                        "set key outside top center horizontal\nplot %s\n",
                        stem, task, positive ? "set logscale y\n" : "",
                        positive ? " (log scale)" : "", absl::StrJoin(bars, ", "))));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteExperimentReport(const ExperimentPlan& plan, const SuiteResults& results,
                                   const PaperScores& paper, const std::string& out_dir) {
  std::string markdown = absl::StrCat("# ", plan.experiment.title(), "\n\n");
  if (plan.experiment.kind() == Experiment::MODEL_ERROR) {
    absl::StrAppendFormat(
        &markdown,
        "Budget '%s' (its dataset size and model training), seeds %s. Ours: the elite members' "
        "one-step MSE on 10 %% of the dataset held out from training, in the models' target "
        "space [reward, state change], mean ± std over seeds; paper: mean ± std (its Table 5 "
        "does not say over what). %s.\n\n",
        results.budget(), SeedsText(results), WallTimeText(results));
  } else if (plan.experiment.kind() == Experiment::TRAJECTORY_DISCREPANCY) {
    absl::StrAppendFormat(
        &markdown,
        "Budget '%s', seeds %s. Ours: the final policy's average trajectory discrepancy (paper "
        "Eq. 5: the mean over the states its final-evaluation episodes visit of the distance to "
        "the nearest dataset state; lower = closer to the data), mean ± std over seeds. The "
        "paper draws these as bars without numbers. %s; every run in detail, its score included: "
        "results.md.\n\n",
        results.budget(), SeedsText(results), WallTimeText(results));
  } else {
    absl::StrAppendFormat(
        &markdown,
        "Budget '%s', seeds %s. Ours: the final policy's D4RL normalized score (its final "
        "evaluation), mean ± std over seeds; paper: mean ± std over three seeds. %s; every run in "
        "detail: results.md.\n\n",
        results.budget(), SeedsText(results), WallTimeText(results));
  }
  if (results.has_budget_note()) markdown += results.budget_note() + "\n\n";
  markdown += RenderExperiment(plan, results, paper);
  if (plan.experiment.kind() == Experiment::MODEL_ERROR) {
    ROMI_RETURN_IF_ERROR(PlotModelErrors(results, out_dir));
    markdown +=
        "\nPer target dimension, forward vs reverse: model_error_<task>.png (numbers in "
        "model_error_<task>.dat).\n";
  }
  return WriteStringAtomically(absl::StrCat(out_dir, "/", ExperimentReportName(plan.experiment)),
                               markdown);
}

absl::StatusOr<SuiteResults> RunExperiment(const ExperimentPlan& plan, SuiteOptions options) {
  const PaperScores paper = options.paper;
  const std::string out_dir = options.out_dir;
  auto write = [plan, paper, out_dir](const SuiteResults& results) {
    return WriteExperimentReport(plan, results, paper, out_dir);
  };
  // What a report without suite runs starts from.
  SuiteResults results;
  results.set_budget(options.budget.name());
  const std::string& note = plan.experiment.kind() == Experiment::MODEL_ERROR
                                ? options.budget.model_error_note()
                                : options.budget.note();
  if (!note.empty()) results.set_budget_note(note);
  if (plan.tasks.empty() || plan.methods.empty()) {
    ROMI_RETURN_IF_ERROR(CreateDirectories(out_dir));
    ROMI_RETURN_IF_ERROR(write(results));
    return results;
  }
  options.tasks = plan.tasks;
  options.methods = plan.methods;
  if (plan.experiment.kind() == Experiment::MODEL_ERROR) {
    ROMI_RETURN_IF_ERROR(CreateDirectories(out_dir));
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    ROMI_ASSIGN_OR_RETURN(
        const std::vector<ModelErrorResult> errors,
        RunModelErrors(options, plan.methods, [&](const std::vector<ModelErrorResult>& so_far) {
          SuiteResults partial = results;
          *partial.mutable_model_error() = {so_far.begin(), so_far.end()};
          partial.set_wall_seconds(elapsed());
          return write(partial);
        }));
    *results.mutable_model_error() = {errors.begin(), errors.end()};
    results.set_wall_seconds(elapsed());
    ROMI_RETURN_IF_ERROR(write(results));
    return results;
  }
  options.on_report = write;
  ROMI_ASSIGN_OR_RETURN(SuiteResults suite, RunSuite(options));
  ROMI_RETURN_IF_ERROR(write(suite));  // with the suite's whole wall time
  return suite;
}

}  // namespace romi::eval
