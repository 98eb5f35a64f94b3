// The whole pipeline end to end, as the d4rl_suite binary runs it: a small generated maze2d
// dataset, every method, a seconds-long budget, the report files and their schema, and a rerun
// that resumes from the finished runs instead of training again.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/str_split.h"
#include "data/dataset_source.h"
#include "eval/methods.h"
#include "eval/suite_runner.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

SuiteOptions SmokeSuite(const fs::path& root) {
  SuiteOptions options;
  options.tasks = {"maze2d-umaze-v1"};
  options.methods = MethodNames();
  options.seeds = {0};
  options.budget = *LoadBudget("eval/configs/budget_smoke.textproto");
  options.paper = *LoadPaperScores("eval/paper_scores.textproto");
  options.out_dir = (root / "suite").string();
  options.progress = false;
  data::DatasetRequest request;
  request.search_user_files = false;
  request.cache_dir = (root / "cache").string();
  request.log_to_stderr = false;
  options.datasets = DatasetSourceProvider(request);
  return options;
}

TEST(D4rlSuiteTest, RunsEveryMethodEndToEndWritesTheReportAndResumes) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite";
  fs::remove_all(root);
  const SuiteOptions options = SmokeSuite(root);
  absl::StatusOr<SuiteResults> results = RunSuite(options);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->run_size(), static_cast<int>(MethodNames().size()));
  for (const RunResult& run : results->run()) {
    EXPECT_EQ(run.task(), "maze2d-umaze-v1");
    EXPECT_EQ(run.final().step(), 20) << run.method();
    EXPECT_EQ(run.final().episodes(), 2) << run.method();
    ASSERT_EQ(run.curve_size(), 2) << run.method();  // checkpoints at 10 and 20
    EXPECT_EQ(run.curve(0).step(), 10);
    EXPECT_TRUE(std::isfinite(run.final().score_mean())) << run.method();
    EXPECT_GT(run.final().trajectory_discrepancy(), 0) << run.method();
    EXPECT_TRUE(fs::exists(fs::path(run.run_dir()) / "learner.pt")) << run.method();
    // The run's log records the learner's losses and every evaluation.
    const std::string log = Read(fs::path(run.run_dir()) / "log.txt");
    EXPECT_NE(log.find("[learner] step 20 / 20"), std::string::npos) << run.method();
    EXPECT_NE(log.find("[evaluation] step 10, score "), std::string::npos) << run.method();
    // Model-based runs replay a sample of their imagined data in the simulator.
    EXPECT_EQ(run.has_model_data(), run.method().find("omi-") != std::string::npos) << run.method();
    EXPECT_TRUE(run.has_real_data()) << run.method();
    EXPECT_LT(run.real_data().relative_error(), 1e-6) << run.method();  // real data replays exactly
    if (run.has_model_data()) {
      EXPECT_GT(run.model_data().rows(), 0) << run.method();
      EXPECT_GT(run.model_data().relative_error(), 0) << run.method();
      EXPECT_TRUE(std::isfinite(run.model_data().reward_mae())) << run.method();
    }
    EXPECT_EQ(fs::exists(fs::path(run.run_dir()) / "model_buffer.pt"),
              run.method().find("omi-") != std::string::npos)
        << run.method();
  }

  const fs::path out = options.out_dir;
  // results.json parses back into the same schema.
  SuiteResults parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Read(out / "results.json"), &parsed).ok());
  EXPECT_EQ(parsed.run_size(), results->run_size());
  // results.csv: a header and one row per run, with the paper's number where it has one.
  const std::vector<std::string> rows =
      absl::StrSplit(Read(out / "results.csv"), '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), MethodNames().size() + 1);
  EXPECT_EQ(rows[0].substr(0, 28), "task,method,seed,score_mean,");
  EXPECT_NE(Read(out / "results.csv").find("maze2d-umaze-v1,romi-bcq,0,"), std::string::npos);
  EXPECT_NE(Read(out / "results.md").find("| maze2d-umaze-v1 |"), std::string::npos);
  EXPECT_NE(Read(out / "results.md").find("| maze2d-umaze-v1 | romi-bcq | 0 |"), std::string::npos);
  EXPECT_NE(Read(out / "curves.csv").find("maze2d-umaze-v1,bcq,0,20,"), std::string::npos);

  // A rerun reads the finished runs back: same results, no training (learner.pt untouched).
  const fs::path learner = fs::path(results->run(0).run_dir()) / "learner.pt";
  const auto written = fs::last_write_time(learner);
  absl::StatusOr<SuiteResults> again = RunSuite(options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(fs::last_write_time(learner), written);
  for (int i = 0; i < results->run_size(); ++i) {
    EXPECT_EQ(again->run(i).final().score_mean(), results->run(i).final().score_mean());
  }
}

TEST(D4rlSuiteTest, RejectsUnknownTasksAndMethodsBeforeTraining) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_bad";
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"romi-bcq", "romi-sac"};
  EXPECT_EQ(RunSuite(options).status().code(), absl::StatusCode::kNotFound);
  options = SmokeSuite(root);
  options.tasks = {"maze2d-tiny-v1"};
  EXPECT_EQ(RunSuite(options).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace romi::eval
