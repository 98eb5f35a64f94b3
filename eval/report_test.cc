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
  google::protobuf::TextFormat::ParseFromString(R"pb(
    budget: "smoke"
    wall_seconds: 12
    run {
      task: "maze2d-umaze-v1" method: "romi-bcq" seed: 0
      final { step: 20 score_mean: 50 score_std: 4 return_mean: 90 episodes: 2 }
      curve { step: 10 score_mean: 20 }
      curve { step: 20 score_mean: 50 score_std: 4 return_mean: 90 episodes: 2 }
    }
    run {
      task: "maze2d-umaze-v1" method: "romi-bcq" seed: 1
      final { step: 20 score_mean: 70 score_std: 1 }
    }
    run {
      task: "maze2d-umaze-v1" method: "bcq" seed: 0
      final { step: 20 score_mean: 10 score_std: 2 }
    }
  )pb",
                                                &results);
  return results;
}

PaperScores Paper() {
  PaperScores paper;
  google::protobuf::TextFormat::ParseFromString(R"pb(
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
            "| maze2d-umaze-v1 | 60.0 ± 10.0 | 139.5 ± 3.6 | 10.0 ± 2.0 | 12.8 |\n");
}

TEST(WriteReportTest, WritesEveryFileWithItsSchema) {
  const fs::path dir = fs::path(::testing::TempDir()) / "report";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(WriteReport(TwoMethods(), Paper(), {"romi-bcq", "bcq"}, dir.string()).ok());
  const std::string csv = Read(dir / "results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "task,method,seed,score_mean,score_std,return_mean,return_std,episodes,steps,"
            "trajectory_discrepancy,wall_seconds,paper_mean,paper_std,dataset_source");
  EXPECT_NE(csv.find("maze2d-umaze-v1,bcq,0,10.0000,2.0000"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",139.50,3.60,"), std::string::npos) << csv;
  const std::string json = Read(dir / "results.json");
  EXPECT_NE(json.find("\"score_mean\": 50"), std::string::npos) << json;
  EXPECT_NE(Read(dir / "results.md").find("| maze2d-umaze-v1 | 60.0 ± 10.0"), std::string::npos);
  const std::string curves = Read(dir / "curves.csv");
  EXPECT_NE(curves.find("maze2d-umaze-v1,romi-bcq,0,10,20.0000"), std::string::npos) << curves;
}

}  // namespace
}  // namespace romi::eval
