#include "eval/experiment.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "envs/registry.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Experiments Presets() {
  absl::StatusOr<Experiments> experiments = LoadExperiments("eval/experiments.textproto");
  EXPECT_TRUE(experiments.ok()) << experiments.status();
  return experiments.ok() ? *experiments : Experiments();
}

TEST(ExperimentTest, ThePresetsAreThePapersTables) {
  std::vector<std::string> names;
  const Experiments presets = Presets();
  for (const Experiment& experiment : presets.experiment()) names.push_back(experiment.name());
  EXPECT_THAT(names,
              ::testing::ElementsAre("table1", "table2", "table3", "table4", "table8", "table9",
                                     "table10", "table11", "table5", "figure3", "figure4"));
  const Experiment table10 = *FindExperiment(Presets(), "table10");
  EXPECT_EQ(table10.task_size(), 6);
  ASSERT_EQ(table10.column_size(), 4);
  EXPECT_EQ(table10.column(0).method(), "romi-bcq@h1");
  EXPECT_EQ(table10.column(1).method(), "romi-bcq");  // len=5*: the main paper's setting
  const Experiment table8 = *FindExperiment(Presets(), "table8");
  EXPECT_EQ(table8.task_size(), 24);
  EXPECT_EQ(table8.omitted_column_size(), 8);  // eleven baselines, three of which we run
  EXPECT_EQ(FindExperiment(Presets(), "table3")->delta().minuend(), "romi-bcq");
  // The figures measure Table 3's sparse-maze policies by their trajectory discrepancy; the paper
  // gives bars, never its normalized scores, for their cells.
  const Experiment figure4 = *FindExperiment(Presets(), "figure4");
  EXPECT_EQ(figure4.kind(), Experiment::TRAJECTORY_DISCREPANCY);
  EXPECT_THAT(figure4.task(), ::testing::ElementsAre("maze2d-medium-v1", "maze2d-large-v1"));
  EXPECT_EQ(PaperCellText(figure4, *LoadPaperScores("eval/paper_scores.textproto"),
                          "maze2d-medium-v1", "bcq"),
            "Fig. 4 (bars)");
}

// The paper prints different numbers for the same cell in different tables (BCQ on maze2d-umaze:
// 41.1 in Table 3, 49.1 in Table 8; BC on walker2d-random: 0.0 in Table 2, 36.0 in Table 8): each
// report shows its own table's. A few cells of each kind, read from the paper by hand.
TEST(ExperimentTest, EachReportShowsItsOwnTablesNumbers) {
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  const Experiments presets = Presets();
  struct Cell {
    const char* experiment;
    const char* task;
    const char* method;
    const char* paper;
  };
  for (const Cell& cell : std::vector<Cell>{
           {"table3", "maze2d-umaze-v1", "bcq", "41.1 ± 7.6"},
           {"table8", "maze2d-umaze-v1", "bcq", "49.1"},
           {"table3", "antmaze-umaze-diverse-v0", "bcq", "49.3 ± 9.9"},
           {"table8", "antmaze-umaze-diverse-v0", "bcq", "48.0"},
           {"table2", "walker2d-random-v2", "bc", "0.0"},
           {"table8", "walker2d-random-v2", "bc", "36.0"},
           {"table2", "hopper-medium-replay-v2", "romi-cql", "98.1 ± 2.6"},
           {"table8", "hopper-medium-replay-v2", "romi-cql", "98.1 ± 2.0"},
           {"table9", "hopper-medium-v2", "fomi-cql", "1.9 ± 0.1"},
           {"table4", "antmaze-umaze-v0", "romi-rbc-bcq", "62.2 ± 5.6"},
           {"table10", "maze2d-umaze-v1", "romi-bcq@h1", "82.0 ± 31.5"},
           {"table1", "maze2d-umaze-v1", "romi-bcq", "139.5 ± 3.6"},
           {"table5", "maze2d-umaze-v1", "reverse-model", "0.0061 ± 0.0019"},
       }) {
    EXPECT_EQ(
        PaperCellText(*FindExperiment(presets, cell.experiment), paper, cell.task, cell.method),
        cell.paper)
        << cell.experiment << " " << cell.task << " " << cell.method;
  }
}

// Every row has the paper's settings and every cell the paper's number.
TEST(ExperimentTest, EveryRowHasATaskConfigAndEveryCellAPaperNumber) {
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  const Experiments presets = Presets();
  for (const Experiment& experiment : presets.experiment()) {
    for (const std::string& task : experiment.task()) {
      EXPECT_TRUE(LoadTaskConfig("eval/configs", task).ok()) << experiment.name() << " " << task;
      for (const ExperimentColumn& column : experiment.column()) {
        EXPECT_NE(PaperCellText(experiment, paper, task, column.method()), "n/a")
            << experiment.name() << ": " << task << " " << column.method();
      }
    }
  }
}

TEST(ExperimentTest, UnknownNamesAreClearErrors) {
  const absl::StatusOr<Experiment> missing = FindExperiment(Presets(), "table99");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("table10"));
  const Experiment table10 = *FindExperiment(Presets(), "table10");
  const absl::StatusOr<ExperimentPlan> bad_row = PlanExperiment(table10, {"hopper-medium-v2"}, {});
  EXPECT_EQ(bad_row.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_row.status().message()), HasSubstr("maze2d-umaze-v1"));
  const absl::StatusOr<ExperimentPlan> bad_column = PlanExperiment(table10, {}, {"bcq"});
  EXPECT_EQ(bad_column.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_column.status().message()), HasSubstr("romi-bcq@h20"));
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ExperimentTest, MalformedPresetFilesAreRejectedNamingTheFile) {
  const std::string path = ::testing::TempDir() + "/bad_experiments.textproto";
  WriteFile(path, R"(experiment { name: "x" task: "maze2d-umaze-v1" column { method: "dqn" } })");
  absl::StatusOr<Experiments> unknown = LoadExperiments(path);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("dqn"));
  WriteFile(path, R"(experiment { name: "x" task: "maze2d-umaze-v1" })");
  EXPECT_EQ(LoadExperiments(path).status().code(), absl::StatusCode::kInvalidArgument);
  WriteFile(path, R"(experiment { name: "x" task: "t" column { method: "bcq" } }
                     experiment { name: "x" task: "t" column { method: "bcq" } })");
  EXPECT_THAT(std::string(LoadExperiments(path).status().message()), HasSubstr("twice"));
  WriteFile(path, "experiment { name: ");
  EXPECT_FALSE(LoadExperiments(path).ok());
  EXPECT_FALSE(LoadExperiments(::testing::TempDir() + "/no_such_file.textproto").ok());
  WriteFile(path, R"(experiment { name: "x" kind: MODEL_ERROR task: "maze2d-umaze-v1"
                                  column { method: "bcq" } })");
  EXPECT_THAT(std::string(LoadExperiments(path).status().message()), HasSubstr("forward-model"));
}

TEST(ExperimentTest, RowsWithoutAnEnvironmentAreSkippedWithTheReason) {
  const Experiment table3 = *FindExperiment(Presets(), "table3");
  const ExperimentPlan plan = *PlanExperiment(table3, {}, {});
  for (const std::string& task : table3.task()) {
    const bool registered = envs::FindSpec(task).ok();
    EXPECT_EQ(plan.skipped_rows.count(task), registered ? 0u : 1u) << task;
  }
  EXPECT_EQ(plan.tasks.size() + plan.skipped_rows.size(), 12u);
  EXPECT_EQ(plan.methods, (std::vector<std::string>{"romi-bcq", "fomi-bcq", "bcq"}));
  const ExperimentPlan some =
      *PlanExperiment(table3, {"maze2d-large-v1", "maze2d-umaze-v1"}, {"bcq"});
  // The paper's order, whatever the order asked for.
  EXPECT_EQ(some.tasks, (std::vector<std::string>{"maze2d-umaze-v1", "maze2d-large-v1"}));
  EXPECT_EQ(some.methods, std::vector<std::string>{"bcq"});
}

RunResult FinishedRun(const std::string& task, const std::string& method, uint64_t seed,
                      double score) {
  RunResult run;
  run.set_task(task);
  run.set_method(method);
  run.set_seed(seed);
  run.mutable_final()->set_score_mean(score);
  return run;
}

// The table's cells, row by row, without the leading and trailing '|'.
std::vector<std::vector<std::string>> Cells(const std::string& markdown) {
  std::vector<std::vector<std::string>> rows;
  for (const absl::string_view line : absl::StrSplit(markdown, '\n')) {
    if (line.size() < 2 || line.front() != '|') {
      if (!rows.empty()) break;  // the first table only
      continue;
    }
    std::vector<std::string> cells = absl::StrSplit(line.substr(1, line.size() - 2), " | ");
    for (std::string& cell : cells) cell = std::string(absl::StripAsciiWhitespace(cell));
    rows.push_back(cells);
  }
  return rows;
}

TEST(ExperimentTest, TheReportIsShapedLikeThePapersTable) {
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  const Experiment table3 = *FindExperiment(Presets(), "table3");
  ExperimentPlan plan = *PlanExperiment(table3, {"maze2d-umaze-v1", "maze2d-medium-v1"}, {});
  plan.skipped_rows["antmaze-umaze-v0"] = "no antmaze environment";  // as on a build without it
  SuiteResults results;
  *results.add_run() = FinishedRun("maze2d-umaze-v1", "romi-bcq", 0, 100);
  *results.add_run() = FinishedRun("maze2d-umaze-v1", "romi-bcq", 1, 80);
  *results.add_run() = FinishedRun("maze2d-umaze-v1", "bcq", 0, 30);
  *results.add_run() = FinishedRun("maze2d-umaze-v1", "bcq", 1, 40);
  FailedRun* failed = results.add_failed();
  failed->set_task("maze2d-umaze-v1");
  failed->set_method("fomi-bcq");
  failed->set_error("out of memory");
  *results.add_run() = FinishedRun("maze2d-medium-v1", "bcq", 0, 5);
  const std::string markdown = RenderExperiment(plan, results, paper);
  const std::vector<std::vector<std::string>> cells = Cells(markdown);
  ASSERT_EQ(cells.size(), 2u + 12u);  // header, rule, the paper's twelve rows
  EXPECT_EQ(cells[0], (std::vector<std::string>{"task", "ROMI-BCQ (ours)", "ROMI-BCQ (paper)",
                                                "FOMI-BCQ (ours)", "FOMI-BCQ (paper)", "BCQ (ours)",
                                                "BCQ (paper)", "Δ (ROMI-BCQ − BCQ) (ours)",
                                                "Δ (ROMI-BCQ − BCQ) (paper)"}));
  for (size_t row = 2; row < cells.size(); ++row) {
    ASSERT_EQ(cells[row].size(), 9u) << row;
    EXPECT_EQ(cells[row][0], table3.task(row - 2));
  }
  EXPECT_EQ(cells[2],
            (std::vector<std::string>{"maze2d-umaze-v1", "90.0 ± 10.0", "139.5 ± 3.6", "failed",
                                      "8.1 ± 15.5", "35.0 ± 5.0", "41.1 ± 7.6", "+55.0", "+98.4"}));
  // Still training; not asked for; no environment.
  EXPECT_EQ(cells[3][1], "pending");
  EXPECT_EQ(cells[3][5], "5.0 (1 seed)");
  EXPECT_EQ(cells[3][7], "—");
  EXPECT_EQ(cells[4][1], "not run");
  EXPECT_EQ(cells[8][1], "not run");
  EXPECT_THAT(markdown, HasSubstr("antmaze-umaze-v0: not run: no antmaze environment"));
  EXPECT_THAT(markdown, HasSubstr("fomi-bcq seed 0 failed: out of memory"));
}

TEST(ExperimentTest, TheModelErrorTableShowsMsesBesideThePapers) {
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  const Experiment table5 = *FindExperiment(Presets(), "table5");
  EXPECT_EQ(table5.kind(), Experiment::MODEL_ERROR);
  EXPECT_EQ(table5.task_size(), 24);
  const ExperimentPlan plan = *PlanExperiment(table5, {"maze2d-umaze-v1"}, {});
  SuiteResults results;
  for (const auto& [model, seed, mse] : std::vector<std::tuple<std::string, int, double>>{
           {"forward-model", 0, 0.001}, {"forward-model", 1, 0.003}, {"reverse-model", 0, 0.002}}) {
    ModelErrorResult* run = results.add_model_error();
    run->set_task("maze2d-umaze-v1");
    run->set_model(model);
    run->set_seed(seed);
    run->set_test_mse(mse);
  }
  const std::string markdown = RenderExperiment(plan, results, paper);
  const std::vector<std::vector<std::string>> cells = Cells(markdown);
  EXPECT_EQ(cells[0],
            (std::vector<std::string>{"task", "Forward model (ours)", "Forward model (paper)",
                                      "Reverse model (ours)", "Reverse model (paper)"}));
  EXPECT_EQ(cells[2],
            (std::vector<std::string>{"maze2d-umaze-v1", "0.0020 ± 0.0010", "0.0062 ± 0.0019",
                                      "0.0020 (1 seed)", "0.0061 ± 0.0019"}));
  EXPECT_EQ(cells[3][1], "not run");
  EXPECT_EQ(cells[2 + 23][4], "0.5161 ± 0.0389");  // halfcheetah-medium-expert, reverse
  EXPECT_THAT(markdown, HasSubstr("| maze2d-umaze-v1 | reverse-model | 0 | 0.002000 |"));
}

TEST(ExperimentTest, TheReportFileNamesTheBudgetAndTheOmittedBaselines) {
  const PaperScores paper = *LoadPaperScores("eval/paper_scores.textproto");
  const ExperimentPlan plan = *PlanExperiment(*FindExperiment(Presets(), "table8"), {}, {});
  SuiteResults results;
  results.set_budget("quick");
  results.set_budget_note("A quick budget.");
  const std::string dir = ::testing::TempDir();
  ASSERT_TRUE(WriteExperimentReport(plan, results, paper, dir).ok());
  std::ifstream in(dir + "/experiment_table8.md");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("# Table 8"));
  EXPECT_THAT(text, HasSubstr("Budget 'quick'"));
  EXPECT_THAT(text, HasSubstr("A quick budget."));
  EXPECT_THAT(text, HasSubstr("BEAR, BRAC-p"));
  EXPECT_EQ(Cells(text).size(), 2u + 24u);
}

// Table 5 trains no policy, so the budget's note about learner steps and scores would mislead
// there: its report carries the budget's model-error note instead, and every other report the
// policy note.
TEST(ExperimentTest, AModelErrorReportCarriesTheBudgetsModelErrorNote) {
  SuiteOptions options;
  options.paper = *LoadPaperScores("eval/paper_scores.textproto");
  options.budget.set_name("quick");
  options.budget.set_note("Scores sit within noise.");
  options.budget.set_model_error_note("Models stop after 8 epochs.");
  for (const auto& [name, said, not_said] :
       {std::tuple<std::string, std::string, std::string>{"table5", "Models stop after 8 epochs.",
                                                          "Scores sit within noise."},
        {"table4", "Scores sit within noise.", "Models stop after 8 epochs."}}) {
    ExperimentPlan plan = *PlanExperiment(*FindExperiment(Presets(), name), {}, {});
    plan.tasks.clear();  // nothing to train: the report alone
    options.out_dir = ::testing::TempDir() + "/note_" + name;
    ASSERT_TRUE(RunExperiment(plan, options).ok()) << name;
    std::ifstream in(options.out_dir + "/experiment_" + name + ".md");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, HasSubstr(said)) << name;
    EXPECT_THAT(text, Not(HasSubstr(not_said))) << name;
  }
}

TEST(ModelErrorBarsTest, PerDimensionMeansOverSeedsForBothDirections) {
  SuiteResults results;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        model_error {
          task: "t"
          model: "forward-model"
          seed: 0
          test_mse_per_dimension: [ 1, 4 ]
        }
        model_error {
          task: "t"
          model: "forward-model"
          seed: 1
          test_mse_per_dimension: [ 3, 6 ]
        }
        model_error {
          task: "t"
          model: "reverse-model"
          seed: 0
          test_mse_per_dimension: [ 0.5, 2 ]
        }
        model_error {
          task: "other"
          model: "reverse-model"
          seed: 0
          test_mse_per_dimension: [ 9 ]
        }
      )pb",
      &results);
  EXPECT_EQ(ModelErrorBars(results, "t"),
            "dimension forward-model reverse-model\nr 2 0.5\ns0 5 2\n");
  EXPECT_EQ(ModelErrorBars(results, "other"), "dimension forward-model reverse-model\nr NaN 9\n");
  EXPECT_EQ(ModelErrorBars(results, "absent"), "");
}

}  // namespace
}  // namespace romi::eval
