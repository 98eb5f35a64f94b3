#include "eval/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace romi::eval {
namespace {

std::vector<const RunResult*> RunsOf(const SuiteResults& results, const std::string& task,
                                     const std::string& method) {
  std::vector<const RunResult*> runs;
  for (const RunResult& run : results.run()) {
    if (run.task() == task && run.method() == method) runs.push_back(&run);
  }
  return runs;
}

// One number of a (task, method) cell over its seeds: mean ± population std across seeds.
SeedSummary Aggregate(const std::vector<const RunResult*>& runs,
                      const std::function<double(const RunResult&)>& value) {
  std::vector<double> values;
  for (const RunResult* run : runs) values.push_back(value(*run));
  const MeanStd stats = PopulationMeanStd(values);
  return SeedSummary{stats.mean, stats.std, static_cast<int>(runs.size())};
}

double FinalScore(const RunResult& run) { return run.final().score_mean(); }
double LastMean(const RunResult& run) { return run.last_mean(); }
double BestScore(const RunResult& run) { return run.best().score_mean(); }
double EpisodeSpread(const RunResult& run) { return run.final().score_std(); }

std::vector<std::string> Tasks(const SuiteResults& results) {
  std::vector<std::string> tasks;
  std::set<std::string> seen;
  for (const RunResult& run : results.run()) {
    if (seen.insert(run.task()).second) tasks.push_back(run.task());
  }
  return tasks;
}

std::string CsvQuote(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// The final critic's mean value of a checked table's rows, or `none` (no critic, no table, or a
// run written before the field existed).
std::string QText(const ModelDataFidelity& table, const absl::FormatSpec<double>& format,
                  const std::string& none) {
  return table.has_q_mean() ? absl::StrFormat(format, table.q_mean()) : none;
}

// An evaluation's critic value of its start states and discounted return, "%.6g"-formatted for the
// CSV files: two empty fields for learners without a critic and runs made before the fields.
std::string StartValueCsv(const Evaluation& e) {
  if (!e.has_q_start_mean()) return ",";
  return absl::StrFormat("%.6g,%.6g", e.q_start_mean(), e.discounted_return_mean());
}

std::string ResultsCsv(const SuiteResults& results, const PaperScores& paper) {
  std::string csv =
      "task,method,seed,score_mean,score_std,return_mean,return_std,episodes,steps,"
      "trajectory_discrepancy,wall_seconds,paper_mean,paper_std,dataset_source,last_mean,last_"
      "count,"
      "best_score,best_step,threads,q_real,q_imagined,q_start,discounted_return\n";
  for (const RunResult& run : results.run()) {
    const PaperScore* p = FindPaperScore(paper, run.task(), run.method());
    absl::StrAppendFormat(
        &csv, "%s,%s,%d,%.4f,%.4f,%.4f,%.4f,%d,%d,%.6g,%.1f,%s,%s,%s,%.4f,%d,%.4f,%d,%d,%s,%s,%s\n",
        run.task(), run.method(), run.seed(), run.final().score_mean(), run.final().score_std(),
        run.final().return_mean(), run.final().return_std(), run.final().episodes(),
        run.final().step(), run.final().trajectory_discrepancy(), run.wall_seconds(),
        p ? absl::StrFormat("%.2f", p->mean()) : "",
        p && p->has_std() ? absl::StrFormat("%.2f", p->std()) : "", CsvQuote(run.dataset_source()),
        run.last_mean(), run.last_count(), run.best().score_mean(), run.best().step(),
        run.threads(), QText(run.real_data(), "%.6g", ""), QText(run.model_data(), "%.6g", ""),
        StartValueCsv(run.final()));
  }
  return csv;
}

std::string CurvesCsv(const SuiteResults& results) {
  std::string csv =
      "task,method,seed,step,score_mean,score_std,return_mean,return_std,q_start,"
      "discounted_return\n";
  for (const RunResult& run : results.run()) {
    for (const Evaluation& e : run.curve()) {
      absl::StrAppendFormat(&csv, "%s,%s,%d,%d,%.4f,%.4f,%.4f,%.4f,%s\n", run.task(), run.method(),
                            run.seed(), e.step(), e.score_mean(), e.score_std(), e.return_mean(),
                            e.return_std(), StartValueCsv(e));
    }
  }
  return csv;
}

}  // namespace

bool GnuplotAvailable() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

// pngcairo is missing from some gnuplot builds: a failure is retried with the plain png terminal,
// which is always there.
absl::Status RunGnuplot(const std::string& script_path, std::string script) {
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(script_path, script));
  const std::string command = absl::StrCat("gnuplot '", script_path, "' 2>&1");
  if (std::system(command.c_str()) == 0) return absl::OkStatus();
  for (size_t at = script.find("pngcairo"); at != std::string::npos; at = script.find("pngcairo")) {
    script.replace(at, 8, "png");
  }
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(script_path, script));
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("gnuplot failed on ", script_path));
  }
  return absl::OkStatus();
}

std::string CurveBands(const SuiteResults& results, const std::string& task,
                       const std::vector<std::string>& methods) {
  std::string data;
  for (const std::string& method : methods) {
    std::map<int64_t, std::vector<double>> scores;  // step -> one score per seed
    for (const RunResult* run : RunsOf(results, task, method)) {
      for (const Evaluation& e : run->curve()) scores[e.step()].push_back(e.score_mean());
    }
    if (scores.empty()) continue;
    absl::StrAppend(&data, "# ", method, "\n");
    for (const auto& [step, values] : scores) {
      const MeanStd stats = PopulationMeanStd(values);
      absl::StrAppendFormat(&data, "%d %.4f %.4f %.4f %d\n", step, stats.mean,
                            stats.mean - stats.std, stats.mean + stats.std, values.size());
    }
    data += "\n\n";  // gnuplot: a new data block per method
  }
  return data;
}

namespace {

// One PNG per task: per method, the mean score over seeds at each checkpoint with a band of ± one
// std over seeds (curves_<task>.dat holds the numbers, plotted or not).
absl::Status PlotCurves(const SuiteResults& results, const std::vector<std::string>& methods,
                        const std::string& out_dir) {
  const bool have_gnuplot = GnuplotAvailable();
  if (!have_gnuplot) {
    std::fprintf(
        stderr,
        "note: gnuplot not found; learning-curve plots skipped (curves.csv has the data)\n");
  }
  for (const std::string& task : Tasks(results)) {
    std::vector<std::string> titles;
    for (const std::string& method : methods) {
      int seeds = 0;
      for (const RunResult* run : RunsOf(results, task, method)) seeds += run->curve_size() > 0;
      if (seeds > 0) {
        titles.push_back(absl::StrCat(method, " (", seeds, seeds == 1 ? " seed)" : " seeds)"));
      }
    }
    if (titles.empty()) continue;
    const std::string data_path = absl::StrCat(out_dir, "/curves_", task, ".dat");
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(data_path, CurveBands(results, task, methods)));
    if (!have_gnuplot) continue;
    std::string script = absl::StrFormat(
        "set terminal pngcairo size 900,560 noenhanced\nset output '%s/curves_%s.png'\n"
        "set title '%s: mean over seeds, band +- 1 std over seeds'\n"
        "set xlabel 'learner steps'\nset ylabel 'normalized score'\nset key outside right\n"
        "set grid\nset style fill transparent solid 0.2 noborder\nplot ",
        out_dir, task, task);
    for (size_t i = 0; i < titles.size(); ++i) {
      absl::StrAppendFormat(&script,
                            "%s'%s' index %d using 1:3:4 with filledcurves lc %d notitle, "
                            "'%s' index %d using 1:2 with linespoints lc %d title '%s'",
                            i ? ", " : "", data_path, i, i + 1, data_path, i, i + 1, titles[i]);
    }
    script += "\n";
    ROMI_RETURN_IF_ERROR(
        RunGnuplot(absl::StrCat(out_dir, "/curves_", task, ".gp"), std::move(script)));
  }
  return absl::OkStatus();
}

}  // namespace

const char kCellsExplained[] =
    "Per cell, each over seeds (mean ± std): final = the last policy on the final evaluation's "
    "episodes; last-10 mean = the mean of the last 10 checkpoint evaluations (all of them where a "
    "run has fewer: 4 under the quick budget), each on the budget's evaluation episodes, with "
    "the same start states at every checkpoint and in every method; best = the best checkpoint "
    "evaluation (optimistic: the maximum of noisy points). Episode spread = the final "
    "evaluation's std over its episodes, averaged over seeds: the noise of one run's score, not "
    "a difference between seeds. The paper does not say which of these its numbers are.";

SeedSummary FinalScoreOverSeeds(const SuiteResults& results, const std::string& task,
                                const std::string& method) {
  return Aggregate(RunsOf(results, task, method), FinalScore);
}

SeedSummary DiscrepancyOverSeeds(const SuiteResults& results, const std::string& task,
                                 const std::string& method) {
  return Aggregate(RunsOf(results, task, method),
                   [](const RunResult& run) { return run.final().trajectory_discrepancy(); });
}

std::string SeedSummaryText(const SeedSummary& summary, int decimals) {
  if (summary.seeds == 0) return "—";
  if (summary.seeds == 1) return absl::StrFormat("%.*f (1 seed)", decimals, summary.mean);
  return absl::StrFormat("%.*f ± %.*f", decimals, summary.mean, decimals, summary.std);
}

std::string PaperScoreText(const PaperScore* score, int decimals) {
  if (score == nullptr) return "n/a";
  if (!score->has_std()) return absl::StrFormat("%.*f", decimals, score->mean());
  return absl::StrFormat("%.*f ± %.*f", decimals, score->mean(), decimals, score->std());
}

const PaperScore* FindPaperScore(const PaperScores& paper, const std::string& task,
                                 const std::string& method) {
  for (const PaperScore& score : paper.score()) {
    if (score.task() == task && score.method() == method) return &score;
  }
  return nullptr;
}

namespace {

std::vector<std::string> MethodsPresent(const SuiteResults& results,
                                        const std::vector<std::string>& methods) {
  std::vector<std::string> present;
  for (const std::string& method : methods) {
    for (const RunResult& run : results.run()) {
      if (run.method() == method) {
        present.push_back(method);
        break;
      }
    }
  }
  return present;
}

}  // namespace

std::string RenderTable(const SuiteResults& results, const PaperScores& paper,
                        const std::vector<std::string>& methods) {
  const std::vector<std::string> present = MethodsPresent(results, methods);
  std::string table = "| task |";
  std::string rule = "|---|";
  for (const std::string& method : present) {
    absl::StrAppend(&table, " ", method, " (ours) | ", method, " (paper) |");
    rule += "---:|---:|";
  }
  table += "\n" + rule + "\n";
  for (const std::string& task : Tasks(results)) {
    table += "| " + task + " |";
    for (const std::string& method : present) {
      absl::StrAppend(&table, " ",
                      SeedSummaryText(Aggregate(RunsOf(results, task, method), FinalScore)), " | ",
                      PaperScoreText(FindPaperScore(paper, task, method)), " |");
    }
    table += "\n";
  }
  return table;
}

std::string RenderCells(const SuiteResults& results, const PaperScores& paper,
                        const std::vector<std::string>& methods) {
  std::string table =
      "| task | method | seeds | steps | final | last-10 mean | best | episode spread | paper |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const std::string& task : Tasks(results)) {
    for (const std::string& method : MethodsPresent(results, methods)) {
      const std::vector<const RunResult*> runs = RunsOf(results, task, method);
      if (runs.empty()) continue;
      int64_t steps = runs[0]->final().step();
      for (const RunResult* run : runs) steps = std::min(steps, run->final().step());
      absl::StrAppendFormat(
          &table, "| %s | %s | %d | %d | %s | %s | %s | %.1f | %s |\n", task, method, runs.size(),
          steps, SeedSummaryText(Aggregate(runs, FinalScore)),
          SeedSummaryText(Aggregate(runs, LastMean)), SeedSummaryText(Aggregate(runs, BestScore)),
          Aggregate(runs, EpisodeSpread).mean, PaperScoreText(FindPaperScore(paper, task, method)));
    }
  }
  return table;
}

std::string WallTimeText(const SuiteResults& results) {
  std::string text = absl::StrFormat("Wall time %.0f s", results.wall_seconds());
  if (results.run_size() == 0) return text;
  double runs_seconds = 0;
  for (const RunResult& run : results.run()) runs_seconds += run.wall_seconds();
  return absl::StrFormat("%s (this invocation; the %d finished runs' own wall times sum to %.0f s)",
                         text, results.run_size(), runs_seconds);
}

std::string RenderDiagnostics(const SuiteResults& results) {
  std::string table =
      "| task | method | seed | final | episodes | last-10 mean | best (step) | discrepancy | "
      "imagined-data error (relative) | imagined reward MAE | real-data reward MAE | Q real | "
      "Q imagined | Q(s0,a0) − return | threads | wall s |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const RunResult& run : results.run()) {
    const std::string model =
        run.has_model_data() ? absl::StrFormat("%.3g", run.model_data().relative_error()) : "—";
    const std::string reward =
        run.has_model_data() ? absl::StrFormat("%.3g", run.model_data().reward_mae()) : "—";
    const std::string real =
        run.has_real_data() ? absl::StrFormat("%.3g", run.real_data().reward_mae()) : "—";
    absl::StrAppendFormat(&table,
                          "| %s | %s | %d | %.1f ± %.1f | %d | %.1f | %.1f (%d) | %.3f | %s | %s | "
                          "%s | %s | %s | %s | %d | %.0f |\n",
                          run.task(), run.method(), run.seed(), run.final().score_mean(),
                          run.final().score_std(), run.final().episodes(), run.last_mean(),
                          run.best().score_mean(), run.best().step(),
                          run.final().trajectory_discrepancy(), model, reward, real,
                          QText(run.real_data(), "%.3g", "—"), QText(run.model_data(), "%.3g", "—"),
                          run.final().has_q_start_mean()
                              ? absl::StrFormat("%+.3g", run.final().q_start_mean() -
                                                             run.final().discounted_return_mean())
                              : "—",
                          run.threads(), run.wall_seconds());
  }
  for (const FailedRun& failed : results.failed()) {
    absl::StrAppendFormat(&table, "| %s | %s | %d | failed: %s (log: %s) |\n", failed.task(),
                          failed.method(), failed.seed(), failed.error(), failed.log());
  }
  for (const MissingRun& missing : results.missing()) {
    absl::StrAppendFormat(&table, "| %s | %s | %d | %s%s |\n", missing.task(), missing.method(),
                          missing.seed(), missing.state(),
                          missing.log().empty() ? "" : absl::StrCat(" (log: ", missing.log(), ")"));
  }
  return table;
}

absl::Status WriteReport(const SuiteResults& results, const PaperScores& paper,
                         const std::vector<std::string>& methods, const std::string& out_dir) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(results, &json, options).ok()) {
    return absl::InternalError("cannot convert the suite results to JSON");
  }
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/results.json", json));
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/results.csv", ResultsCsv(results, paper)));
  std::string markdown = absl::StrFormat("# D4RL suite results (budget: %s)\n\n", results.budget());
  if (results.has_budget_note()) markdown += results.budget_note() + "\n\n";
  if (results.missing_size() > 0 || results.failed_size() > 0) {
    markdown += absl::StrFormat(
        "**%d of %d runs finished** (%d failed, %d not finished): the tables hold the finished "
        "runs only; the per-run table lists the others.\n\n",
        results.run_size(), results.run_size() + results.failed_size() + results.missing_size(),
        results.failed_size(), results.missing_size());
  }
  markdown += absl::StrFormat(
      "D4RL normalized score of the final policy (its evaluation on the run's final episodes): "
      "ours as mean ± std over seeds, beside the paper's mean ± std over three seeds. %s.\n\n",
      WallTimeText(results));
  markdown += RenderTable(results, paper, methods);
  markdown += "\n" + std::string(kCellsExplained) + "\n\n";
  markdown += RenderCells(results, paper, methods);
  markdown +=
      "\nPer run: the final evaluation (mean ± std over its episodes), the mean of the last 10 "
      "checkpoint evaluations, the best checkpoint evaluation and its step, the final policy's "
      "trajectory discrepancy (paper Eq. 5) and, for model-based runs, the imagined transitions' "
      "error when replayed in the real simulator (0 = physically exact, 1 = as wrong as "
      "predicting no motion). Q real / Q imagined: the final critic's mean value of dataset and "
      "imagined transitions. Q(s0,a0) − return: the final critic's value of each final-evaluation "
      "episode's first state and action minus the discounted return the policy then collected, "
      "averaged over episodes (above 0: overestimation; the return is cut at the time limit).\n\n";
  markdown += RenderDiagnostics(results);
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/results.md", markdown));
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/curves.csv", CurvesCsv(results)));
  return PlotCurves(results, methods, out_dir);
}

}  // namespace romi::eval
