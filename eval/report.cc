#include "eval/report.h"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "romi/base/atomic_file.h"
#include "romi/base/status_macros.h"

namespace romi::eval {
namespace {

struct Cell {
  double mean = 0;
  double std = 0;
  int seeds = 0;
};

// Final scores of (task, method) aggregated over seeds.
Cell Aggregate(const SuiteResults& results, const std::string& task, const std::string& method) {
  std::vector<const RunResult*> runs;
  for (const RunResult& run : results.run()) {
    if (run.task() == task && run.method() == method) runs.push_back(&run);
  }
  Cell cell;
  cell.seeds = static_cast<int>(runs.size());
  if (runs.empty()) return cell;
  for (const RunResult* run : runs) cell.mean += run->final().score_mean();
  cell.mean /= runs.size();
  if (runs.size() == 1) {
    cell.std = runs[0]->final().score_std();
  } else {
    for (const RunResult* run : runs) {
      cell.std += (run->final().score_mean() - cell.mean) * (run->final().score_mean() - cell.mean);
    }
    cell.std = std::sqrt(cell.std / runs.size());
  }
  return cell;
}

std::vector<std::string> Tasks(const SuiteResults& results) {
  std::vector<std::string> tasks;
  std::set<std::string> seen;
  for (const RunResult& run : results.run()) {
    if (seen.insert(run.task()).second) tasks.push_back(run.task());
  }
  return tasks;
}

std::string PaperText(const PaperScore* score) {
  if (score == nullptr) return "n/a";
  if (!score->has_std()) return absl::StrFormat("%.1f", score->mean());
  return absl::StrFormat("%.1f ± %.1f", score->mean(), score->std());
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

std::string ResultsCsv(const SuiteResults& results, const PaperScores& paper) {
  std::string csv =
      "task,method,seed,score_mean,score_std,return_mean,return_std,episodes,steps,"
      "trajectory_discrepancy,wall_seconds,paper_mean,paper_std,dataset_source\n";
  for (const RunResult& run : results.run()) {
    const PaperScore* p = FindPaperScore(paper, run.task(), run.method());
    absl::StrAppendFormat(&csv, "%s,%s,%d,%.4f,%.4f,%.4f,%.4f,%d,%d,%.6g,%.1f,%s,%s,%s\n",
                          run.task(), run.method(), run.seed(), run.final().score_mean(),
                          run.final().score_std(), run.final().return_mean(),
                          run.final().return_std(), run.final().episodes(), run.final().step(),
                          run.final().trajectory_discrepancy(), run.wall_seconds(),
                          p ? absl::StrFormat("%.2f", p->mean()) : "",
                          p && p->has_std() ? absl::StrFormat("%.2f", p->std()) : "",
                          CsvQuote(run.dataset_source()));
  }
  return csv;
}

std::string CurvesCsv(const SuiteResults& results) {
  std::string csv = "task,method,seed,step,score_mean,score_std,return_mean,return_std\n";
  for (const RunResult& run : results.run()) {
    for (const Evaluation& e : run.curve()) {
      absl::StrAppendFormat(&csv, "%s,%s,%d,%d,%.4f,%.4f,%.4f,%.4f\n", run.task(), run.method(),
                            run.seed(), e.step(), e.score_mean(), e.score_std(), e.return_mean(),
                            e.return_std());
    }
  }
  return csv;
}

// One PNG per task with a line per (method, seed). Returns false when gnuplot is unavailable.
absl::Status PlotCurves(const SuiteResults& results, const std::string& out_dir) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    std::fprintf(stderr, "note: gnuplot not found; learning-curve plots skipped (curves.csv has the data)\n");
    return absl::OkStatus();
  }
  for (const std::string& task : Tasks(results)) {
    std::string data_path = absl::StrCat(out_dir, "/curves_", task, ".dat");
    std::string data;
    std::vector<std::string> titles;
    for (const RunResult& run : results.run()) {
      if (run.task() != task || run.curve_size() == 0) continue;
      titles.push_back(absl::StrCat(run.method(), " seed ", run.seed()));
      for (const Evaluation& e : run.curve()) {
        absl::StrAppendFormat(&data, "%d %.4f\n", e.step(), e.score_mean());
      }
      data += "\n\n";  // gnuplot: a new data block per run
    }
    if (titles.empty()) continue;
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(data_path, data));
    std::string script = absl::StrFormat(
        "set terminal pngcairo size 900,560 noenhanced\nset output '%s/curves_%s.png'\n"
        "set title 'D4RL normalized score: %s'\nset xlabel 'learner steps'\n"
        "set ylabel 'normalized score'\nset key outside right\nset grid\nplot ",
        out_dir, task, task);
    for (size_t i = 0; i < titles.size(); ++i) {
      absl::StrAppendFormat(&script, "%s'%s' index %d with linespoints title '%s'",
                            i ? ", " : "", data_path, i, titles[i]);
    }
    script += "\n";
    const std::string script_path = absl::StrCat(out_dir, "/curves_", task, ".gp");
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(script_path, script));
    const std::string command = absl::StrCat("gnuplot '", script_path, "' 2>&1");
    if (std::system(command.c_str()) != 0) {
      // pngcairo is missing from some gnuplot builds; the plain png terminal is always there.
      std::string fallback = script;
      fallback.replace(fallback.find("pngcairo"), 8, "png");
      ROMI_RETURN_IF_ERROR(WriteStringAtomically(script_path, fallback));
      if (std::system(command.c_str()) != 0) {
        return absl::InternalError(absl::StrCat("gnuplot failed on ", script_path));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

const PaperScore* FindPaperScore(const PaperScores& paper, const std::string& task,
                                 const std::string& method) {
  for (const PaperScore& score : paper.score()) {
    if (score.task() == task && score.method() == method) return &score;
  }
  return nullptr;
}

std::string RenderTable(const SuiteResults& results, const PaperScores& paper,
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
      const Cell cell = Aggregate(results, task, method);
      const std::string ours =
          cell.seeds == 0 ? "—" : absl::StrFormat("%.1f ± %.1f", cell.mean, cell.std);
      absl::StrAppend(&table, " ", ours, " | ", PaperText(FindPaperScore(paper, task, method)),
                      " |");
    }
    table += "\n";
  }
  return table;
}

std::string RenderDiagnostics(const SuiteResults& results) {
  std::string table =
      "| task | method | seed | final | mean of curve | mean of last 3 | best | discrepancy | "
      "imagined-data error (relative) | imagined reward MAE | real-data reward MAE |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const RunResult& run : results.run()) {
    double sum = 0, last = 0, best = -1e300;
    const int n = run.curve_size();
    for (int i = 0; i < n; ++i) {
      const double score = run.curve(i).score_mean();
      sum += score;
      if (i >= n - 3) last += score;
      best = std::max(best, score);
    }
    const std::string model =
        run.has_model_data() ? absl::StrFormat("%.3g", run.model_data().relative_error()) : "—";
    const std::string reward =
        run.has_model_data() ? absl::StrFormat("%.3g", run.model_data().reward_mae()) : "—";
    const std::string real =
        run.has_real_data() ? absl::StrFormat("%.3g", run.real_data().reward_mae()) : "—";
    absl::StrAppendFormat(&table,
                          "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f | %.3f | %s | %s | %s |\n",
                          run.task(), run.method(), run.seed(), run.final().score_mean(),
                          n ? sum / n : 0.0, n ? last / std::min(n, 3) : 0.0, n ? best : 0.0,
                          run.final().trajectory_discrepancy(), model, reward, real);
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
  std::string markdown = absl::StrFormat(
      "# D4RL suite results (budget: %s)\n\nD4RL normalized scores of the final policy: ours "
      "(mean ± std) beside the paper's number for the same cell. Wall time %.0f s.\n\n",
      results.budget(), results.wall_seconds());
  markdown += RenderTable(results, paper, methods);
  markdown +=
      "\nPer run: the final score, the learning curve's mean, last three and best evaluations, "
      "the final policy's trajectory discrepancy (paper Eq. 5) and, for model-based runs, the "
      "imagined transitions' error when replayed in the real simulator (0 = physically exact, "
      "1 = as wrong as predicting no motion).\n\n";
  markdown += RenderDiagnostics(results);
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/results.md", markdown));
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(out_dir + "/curves.csv", CurvesCsv(results)));
  return PlotCurves(results, out_dir);
}

}  // namespace romi::eval
