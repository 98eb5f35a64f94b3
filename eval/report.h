// The suite's report: our normalized scores beside the paper's for the same cells.
//
// Files written (atomically) into the output directory:
//   results.json   SuiteResults in protobuf's JSON mapping (every run, its curve and final score)
//   results.csv    one row per run: task, method, seed, final score and return (mean, std over
//                  episodes), trajectory discrepancy, wall time, and the paper's number for the
//                  cell
//   results.md     the table printed at the end: task rows, method columns, "ours (paper)"
//   curves.csv     one row per evaluation: task, method, seed, step, score, return
//   curves_<task>.dat  per method: checkpoint step, mean score over seeds, mean - std, mean + std,
//                      seeds (CurveBands)
//   curves_<task>.png  those curves, the std as a band, when gnuplot is installed
//                      (tools/bootstrap.sh installs it)
// A cell aggregates a task's seeds: the mean of their final scores, ± the population std across
// seeds (with one seed: no ±; the spread over a run's episodes is shown apart, never as the ±).
#ifndef ROMI_EVAL_REPORT_H_
#define ROMI_EVAL_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eval/suite.pb.h"

namespace romi::eval {

// The final scores of (task, method)'s runs in `results`: mean ± population std over seeds.
struct SeedSummary {
  double mean = 0;
  double std = 0;
  int seeds = 0;
};
SeedSummary FinalScoreOverSeeds(const SuiteResults& results, const std::string& task,
                                const std::string& method);

// The same for the final policies' trajectory discrepancy (paper Eq. 5).
SeedSummary DiscrepancyOverSeeds(const SuiteResults& results, const std::string& task,
                                 const std::string& method);

// "mean ± std" over seeds, "x (1 seed)" with one seed (no spread over seeds to show), "—" with
// none.
std::string SeedSummaryText(const SeedSummary& summary, int decimals = 1);

// The paper's "mean ± std", its mean alone where it gives no std, "n/a" for nullptr.
std::string PaperScoreText(const PaperScore* score, int decimals = 1);

// The markdown table (results.md), methods in the order given.
std::string RenderTable(const SuiteResults& results, const PaperScores& paper,
                        const std::vector<std::string>& methods);

// Per (task, method): final, last-10 mean and best, each mean ± std over seeds, the episode spread
// and the paper's number (results.md, below the table). kCellsExplained says what each column is.
std::string RenderCells(const SuiteResults& results, const PaperScores& paper,
                        const std::vector<std::string>& methods);
extern const char kCellsExplained[];

// "Wall time N s" of this suite invocation, and, when runs have finished, the sum of their own
// wall times (each accumulated over resumes): a suite resumed across sessions, or one that only
// collects, took far longer than its last invocation.
std::string WallTimeText(const SuiteResults& results);

// Per-run diagnostics (results.md): final score and its episodes, last-10 mean, best, trajectory
// discrepancy, the imagined data's error in the real simulator, threads, wall time; failed runs.
std::string RenderDiagnostics(const SuiteResults& results);

// Writes every file above into `out_dir` (which must exist). Plots are skipped, with a note on
// stderr, when gnuplot is missing; any other failure is an error naming the file.
absl::Status WriteReport(const SuiteResults& results, const PaperScores& paper,
                         const std::vector<std::string>& methods, const std::string& out_dir);

// curves_<task>.dat: one gnuplot data block per method (in the order given) that has checkpoint
// evaluations, a "# <method>" line, then "step mean mean-std mean+std seeds" rows (population std
// over the seeds evaluated at that step).
std::string CurveBands(const SuiteResults& results, const std::string& task,
                       const std::vector<std::string>& methods);

// Whether gnuplot is on PATH (plots are skipped, with a note, where it is not).
bool GnuplotAvailable();
// Writes `script` to `script_path` and runs gnuplot on it (pngcairo, else png); an error names
// the script.
absl::Status RunGnuplot(const std::string& script_path, std::string script);

// The paper's score for (task, method), or nullptr.
const PaperScore* FindPaperScore(const PaperScores& paper, const std::string& task,
                                 const std::string& method);

}  // namespace romi::eval

#endif  // ROMI_EVAL_REPORT_H_
