#include "eval/report.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

SuiteResults TwoMethods() {
  SuiteResults results;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        budget: "smoke"
        wall_seconds: 12
        run {
          task: "maze2d-umaze-v1"
          method: "romi-bcq"
          seed: 0
          final {
            step: 20
            score_mean: 50
            score_std: 4
            return_mean: 90
            episodes: 2
            q_start_mean: 30.5
            discounted_return_mean: 12.25
          }
          curve { step: 10 score_mean: 20 q_start_mean: 8 discounted_return_mean: 9.5 }
          curve { step: 20 score_mean: 50 score_std: 4 return_mean: 90 episodes: 2 }
          real_data { rows: 10 q_mean: 41.25 }
          model_data { rows: 10 q_mean: 57.5 }
        }
        run {
          task: "maze2d-umaze-v1"
          method: "romi-bcq"
          seed: 1
          final { step: 20 score_mean: 70 score_std: 1 }
        }
        run {
          task: "maze2d-umaze-v1"
          method: "bcq"
          seed: 0
          final { step: 20 score_mean: 10 score_std: 2 }
        }
      )pb",
      &results);
  return results;
}

PaperScores Paper() {
  PaperScores paper;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        score { task: "maze2d-umaze-v1" method: "romi-bcq" mean: 139.5 std: 3.6 }
        score { task: "maze2d-umaze-v1" method: "bcq" mean: 12.8 }
      )pb",
      &paper);
  return paper;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(RenderTableTest, AggregatesSeedsBesideThePapersNumbers) {
  const std::string table = RenderTable(TwoMethods(), Paper(), {"romi-bcq", "fomi-bcq", "bcq"});
  EXPECT_EQ(table,
            "| task | romi-bcq (ours) | romi-bcq (paper) | bcq (ours) | bcq (paper) |\n"
            "|---|---:|---:|---:|---:|\n"
            "| maze2d-umaze-v1 | 60.0 ± 10.0 | 139.5 ± 3.6 | 10.0 (1 seed) | 12.8 |\n");
}

TEST(RenderCellsTest, ShowsFinalLastTenAndBestOverSeedsAndTheEpisodeSpreadApart) {
  SuiteResults results = TwoMethods();
  results.mutable_run(0)->set_last_mean(40);
  results.mutable_run(0)->mutable_best()->set_score_mean(55);
  results.mutable_run(1)->set_last_mean(60);
  results.mutable_run(1)->mutable_best()->set_score_mean(75);
  const std::string table = RenderCells(results, Paper(), {"romi-bcq", "bcq"});
  // final 50, 70; last-10 40, 60; best 55, 75; episode std 4 and 1 -> spread 2.5.
  EXPECT_NE(table.find("| maze2d-umaze-v1 | romi-bcq | 2 | 20 | 60.0 ± 10.0 | 50.0 ± 10.0 | "
                       "65.0 ± 10.0 | 2.5 | 139.5 ± 3.6 |"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("| maze2d-umaze-v1 | bcq | 1 | 20 | 10.0 (1 seed) |"), std::string::npos)
      << table;
}

TEST(WallTimeTextTest, AddsTheFinishedRunsOwnWallTimes) {
  SuiteResults results = TwoMethods();
  results.mutable_run(0)->set_wall_seconds(100);
  results.mutable_run(1)->set_wall_seconds(250.4);
  EXPECT_EQ(WallTimeText(results),
            "Wall time 12 s (this invocation; the 3 finished runs' own wall times sum to 350 s)");
  results.clear_run();
  EXPECT_EQ(WallTimeText(results), "Wall time 12 s");
}

TEST(RenderDiagnosticsTest, ListsFailedRunsWithTheirLogs) {
  SuiteResults results = TwoMethods();
  FailedRun* failed = results.add_failed();
  failed->set_task("maze2d-umaze-v1");
  failed->set_method("fomi-bcq");
  failed->set_seed(2);
  failed->set_error("worker killed by signal 9 (Killed)");
  failed->set_log("/tmp/x/worker.log");
  const std::string table = RenderDiagnostics(results);
  EXPECT_NE(table.find("| maze2d-umaze-v1 | fomi-bcq | 2 | failed: worker killed by signal 9 "
                       "(Killed) (log: /tmp/x/worker.log) |"),
            std::string::npos)
      << table;
}

TEST(WriteReportTest, WritesEveryFileWithItsSchema) {
  const fs::path dir = fs::path(::testing::TempDir()) / "report";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(WriteReport(TwoMethods(), Paper(), {"romi-bcq", "bcq"}, dir.string()).ok());
  const std::string csv = Read(dir / "results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "task,method,seed,score_mean,score_std,return_mean,return_std,episodes,steps,"
            "trajectory_discrepancy,wall_seconds,paper_mean,paper_std,dataset_source,last_mean,"
            "last_count,best_score,best_step,threads,q_real,q_imagined,q_start,discounted_return");
  EXPECT_NE(csv.find("maze2d-umaze-v1,bcq,0,10.0000,2.0000"), std::string::npos) << csv;
  // The final critic's values of real and imagined rows and of the final evaluation's first
  // steps beside their discounted return; empty where a run has none.
  EXPECT_NE(csv.find(",41.25,57.5,30.5,12.25\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0,,,,\n"), std::string::npos) << csv;
  EXPECT_NE(Read(dir / "results.md").find("| 41.2 | 57.5 | +18.2 |"), std::string::npos)
      << Read(dir / "results.md");
  EXPECT_NE(csv.find(",139.50,3.60,"), std::string::npos) << csv;
  const std::string json = Read(dir / "results.json");
  EXPECT_NE(json.find("\"score_mean\": 50"), std::string::npos) << json;
  EXPECT_NE(Read(dir / "results.md").find("| maze2d-umaze-v1 | 60.0 ± 10.0"), std::string::npos);
  const std::string curves = Read(dir / "curves.csv");
  EXPECT_EQ(curves.substr(0, curves.find('\n')),
            "task,method,seed,step,score_mean,score_std,return_mean,return_std,q_start,"
            "discounted_return");
  EXPECT_NE(curves.find("maze2d-umaze-v1,romi-bcq,0,10,20.0000,0.0000,0.0000,0.0000,8,9.5\n"),
            std::string::npos)
      << curves;
}

TEST(CurveBandsTest, MeanAndStdOverSeedsPerCheckpoint) {
  SuiteResults results = TwoMethods();
  Evaluation* e = results.mutable_run(1)->add_curve();
  e->set_step(10);
  e->set_score_mean(40);
  EXPECT_EQ(CurveBands(results, "maze2d-umaze-v1", {"romi-bcq", "bcq"}),
            "# romi-bcq\n"
            "10 30.0000 20.0000 40.0000 2\n"
            "20 50.0000 50.0000 50.0000 1\n\n\n");
}

}  // namespace
}  // namespace romi::eval
