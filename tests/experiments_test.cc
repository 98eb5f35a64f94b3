// Every paper experiment preset (eval/experiments.textproto) end to end under the smoke budget:
// its first runnable row with every column, and the report shaped like the paper's table (every
// row, every column, ours beside the paper's).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "datagen/dataset_generators.h"
#include "eval/experiment.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "eval/suite_runner.h"
#include "gtest/gtest.h"
#include "tests/smoke_suite.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> TableRows(const std::string& markdown) {
  std::vector<std::vector<std::string>> rows;
  for (const absl::string_view line : absl::StrSplit(markdown, '\n')) {
    if (line.size() < 2 || line.front() != '|') {
      if (!rows.empty()) break;  // the first table only: per-run details may follow
      continue;
    }
    if (line.substr(0, 4) == "|---") continue;
    std::vector<std::string> cells = absl::StrSplit(line.substr(1, line.size() - 2), " | ");
    for (std::string& cell : cells) cell = std::string(absl::StripAsciiWhitespace(cell));
    rows.push_back(cells);
  }
  return rows;
}

TEST(ExperimentsTest, EveryPresetRunsUnderTheSmokeBudgetAndReportsThePapersShape) {
  const fs::path root = fs::path(::testing::TempDir()) / "experiments";
  fs::remove_all(root);
  const Experiments experiments = *LoadExperiments("eval/experiments.textproto");
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  // One directory for every preset: a (task, method, seed) run that two tables share is trained
  // once and read back by the second, as a user's suite directory would.
  const SuiteOptions options = SmokeSuite(root);  // tasks and methods: each preset's

  ASSERT_EQ(experiments.experiment_size(), 11);
  for (const Experiment& experiment : experiments.experiment()) {
    SCOPED_TRACE(experiment.name());
    // The first row this build has an environment and a dataset generator for (antmaze has its
    // envs but no generator yet); a table none of whose rows it can run still gets its report,
    // every row marked.
    const ExperimentPlan all_rows = *PlanExperiment(experiment, {}, {});
    std::vector<std::string> first_runnable;
    for (const std::string& task : all_rows.tasks) {
      if (datagen::FindGenerator(task).ok()) {
        first_runnable = {task};
        break;
      }
    }
    ExperimentPlan plan = all_rows;
    if (first_runnable.empty()) {
      plan.tasks.clear();
    } else {
      plan = *PlanExperiment(experiment, first_runnable, {});
    }
    absl::StatusOr<SuiteResults> results = RunExperiment(plan, options);
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_EQ(results->failed_size(), 0);
    const int cells = static_cast<int>(plan.tasks.size() * plan.methods.size());
    if (experiment.kind() == Experiment::MODEL_ERROR) {
      EXPECT_EQ(results->model_error_size(), cells);
      for (const ModelErrorResult& run : results->model_error()) {
        EXPECT_GT(run.test_mse(), 0) << run.model();
        EXPECT_GT(run.test_rows(), 0) << run.model();
      }
    } else {
      EXPECT_EQ(results->run_size(), cells);
    }

    const std::vector<std::vector<std::string>> rows =
        TableRows(ReadFile(fs::path(options.out_dir) / ExperimentReportName(experiment)));
    ASSERT_EQ(rows.size(), 1u + experiment.task_size());
    const size_t columns = 1 + 2 * (experiment.column_size() + (experiment.has_delta() ? 1 : 0));
    ASSERT_EQ(rows[0].size(), columns);
    for (int c = 0; c < experiment.column_size(); ++c) {
      EXPECT_EQ(rows[0][1 + 2 * c], experiment.column(c).header() + " (ours)");
      EXPECT_EQ(rows[0][2 + 2 * c], experiment.column(c).header() + " (paper)");
    }
    for (int r = 0; r < experiment.task_size(); ++r) {
      const std::vector<std::string>& row = rows[1 + r];
      ASSERT_EQ(row.size(), columns) << r;
      EXPECT_EQ(row[0], experiment.task(r));
      const bool ran = !first_runnable.empty() && experiment.task(r) == first_runnable[0];
      for (int c = 0; c < experiment.column_size(); ++c) {
        const std::string& ours = row[1 + 2 * c];
        if (ran) {
          EXPECT_EQ(ours.find(" (1 seed)"), ours.size() - 9) << experiment.task(r) << " " << ours;
          if (experiment.kind() == Experiment::TRAJECTORY_DISCREPANCY) {
            // A distance, printed to 3 decimals: "0.123 (1 seed)".
            EXPECT_EQ(ours.find('.'), ours.size() - 13) << ours;
            EXPECT_GT(std::stod(ours), 0) << ours;
          }
        } else {
          EXPECT_EQ(ours, "not run") << experiment.task(r);
        }
        const std::string expected_paper =
            PaperCellText(experiment, paper, experiment.task(r), experiment.column(c).method());
        EXPECT_NE(expected_paper, "n/a");
        EXPECT_EQ(row[2 + 2 * c], expected_paper);
      }
    }
  }
}

TEST(ExperimentsTest, AModelErrorResultIsReadBackOnlyUnderTheSettingsItWasMadeWith) {
  const fs::path root = fs::path(::testing::TempDir()) / "model_error_settings";
  fs::remove_all(root);
  const absl::StatusOr<Experiment> table5 =
      FindExperiment(*LoadExperiments("eval/experiments.textproto"), "table5");
  ASSERT_TRUE(table5.ok()) << table5.status();
  const ExperimentPlan plan = *PlanExperiment(*table5, {"maze2d-umaze-v1"}, {});
  SuiteOptions options = SmokeSuite(root);
  absl::StatusOr<SuiteResults> first = RunExperiment(plan, options);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->model_error_size(), 2);

  // The same settings: both results are read back, not retrained.
  absl::StatusOr<SuiteResults> again = RunExperiment(plan, options);
  ASSERT_TRUE(again.ok()) << again.status();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(again->model_error(i).test_mse(), first->model_error(i).test_mse());
    EXPECT_EQ(again->model_error(i).wall_seconds(), first->model_error(i).wall_seconds());
  }

  // A result with no settings beside it (an older binary's): refused, not trusted.
  const fs::path config =
      fs::path(options.out_dir) / "model_error/maze2d-umaze-v1/forward/seed0/config.textproto";
  const std::string saved = ReadFile(config);
  ASSERT_FALSE(saved.empty()) << config;
  fs::remove(config);
  absl::StatusOr<SuiteResults> unchecked = RunExperiment(plan, options);
  ASSERT_FALSE(unchecked.ok());
  EXPECT_NE(unchecked.status().message().find("has no config.textproto"), std::string::npos)
      << unchecked.status();
  std::ofstream(config) << saved;

  // Another budget in the same directory: refused, naming the file, not reported as this one's.
  options.budget.mutable_overrides()->mutable_dynamics()->set_max_epochs(3);
  absl::StatusOr<SuiteResults> other = RunExperiment(plan, options);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("config.textproto"), std::string::npos) << other.status();
}

}  // namespace
}  // namespace romi::eval
