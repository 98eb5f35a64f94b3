// The whole pipeline end to end, as the d4rl_suite binary runs it: a small generated maze2d
// dataset, every method, a seconds-long budget, the report files and their schema, and a rerun
// that resumes from the finished runs instead of training again.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/file_lock.h"
#include "base/subprocess.h"
#include "datagen/dataset_source.h"
#include "eval/methods.h"
#include "eval/report.h"
#include "eval/suite_runner.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "learners/nn/runtime.h"
#include "tests/smoke_suite.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) { return ReadFile(path); }

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
    EXPECT_EQ(run.final().episodes(), 3) << run.method();  // the budget's final_eval_episodes
    ASSERT_EQ(run.curve_size(), 2) << run.method();        // checkpoints at 10 and 20
    EXPECT_EQ(run.curve(0).step(), 10);
    EXPECT_EQ(run.curve(1).episodes(), 2) << run.method();  // checkpoints: eval_episodes
    EXPECT_EQ(run.last_count(), 2) << run.method();
    EXPECT_DOUBLE_EQ(run.last_mean(), (run.curve(0).score_mean() + run.curve(1).score_mean()) / 2);
    EXPECT_TRUE(run.has_best()) << run.method();
    EXPECT_GT(run.wall_seconds(), 0) << run.method();
    EXPECT_TRUE(std::isfinite(run.final().score_mean())) << run.method();
    EXPECT_GT(run.final().trajectory_discrepancy(), 0) << run.method();
    EXPECT_TRUE(fs::exists(fs::path(run.run_dir()) / "learner.pt")) << run.method();
    // The run's log records the learner's losses and every evaluation.
    const std::string log = Read(fs::path(run.run_dir()) / "log.txt");
    EXPECT_NE(log.find("[learner] step 20 / 20"), std::string::npos) << run.method();
    EXPECT_NE(log.find("[evaluation] step 10, score "), std::string::npos) << run.method();
    EXPECT_NE(log.find("[evaluation] final policy at step 20, score "), std::string::npos)
        << run.method();
    // Model-based runs replay a sample of their imagined data in the simulator.
    EXPECT_EQ(run.has_model_data(), run.method().find("omi-") != std::string::npos) << run.method();
    EXPECT_TRUE(run.has_real_data()) << run.method();
    // The final critic valued the same real and imagined rows (BC has no critic).
    const bool critic = run.method() != "bc";
    EXPECT_EQ(run.real_data().has_q_mean(), critic) << run.method();
    EXPECT_EQ(run.model_data().has_q_mean(), critic && run.has_model_data()) << run.method();
    if (critic) {
      EXPECT_TRUE(std::isfinite(run.real_data().q_mean())) << run.method();
    }
    EXPECT_LT(run.real_data().relative_error(), 1e-6) << run.method();  // real data replays exactly
    if (run.has_model_data()) {
      EXPECT_GT(run.model_data().rows(), 0) << run.method();
      EXPECT_GT(run.model_data().relative_error(), 0) << run.method();
      EXPECT_TRUE(std::isfinite(run.model_data().reward_mae())) << run.method();
    }
    EXPECT_EQ(fs::exists(fs::path(run.run_dir()) / "model_buffer.pt"),
              run.method().find("omi-") != std::string::npos)
        << run.method();
    // The maze picture's points: the dataset's states and the final policy's paths for every
    // run; imagined states and rollouts (each its own path) for the model-based ones.
    const std::string points = Read(fs::path(run.run_dir()) / "maze_points.csv");
    const bool model_based = run.method().find("omi-") != std::string::npos;
    EXPECT_EQ(points.substr(0, 17), "kind,episode,x,y\n") << run.method();
    EXPECT_NE(points.find("\ndata,0,"), std::string::npos) << run.method();
    EXPECT_NE(Read(fs::path(run.run_dir()) / "final_paths.csv").find("\nfinal,0,"),
              std::string::npos)
        << run.method();
    EXPECT_EQ(points.find("\nimagined,0,") != std::string::npos, model_based) << run.method();
    EXPECT_EQ(points.find("\nrollout,0,") != std::string::npos, model_based) << run.method();
    EXPECT_EQ(points.find("\nrollout,1,") != std::string::npos, model_based) << run.method();
  }

  const fs::path out = options.out_dir;
  // results.json parses back into the same schema.
  SuiteResults parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Read(out / "results.json"), &parsed).ok());
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
  // The maze picture: one panel per method, four point sets each.
  const std::string maze = Read(out / "maze_maze2d-umaze-v1.dat");
  for (const std::string& method : MethodNames()) {
    for (const char* kind : {"data", "imagined", "rollout", "final"}) {
      EXPECT_NE(maze.find(absl::StrCat("# ", method, " seed 0: ", kind, "\n")), std::string::npos)
          << method << " " << kind;
    }
  }
  EXPECT_EQ(fs::exists(out / "maze_maze2d-umaze-v1.png"), GnuplotAvailable());

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

// A dataset written in Minari's layout by make_dataset is what the suite trains on when a run
// finds it under --minari_dir, and nothing is generated.
TEST(D4rlSuiteTest, TrainsOnAMinariDatasetWrittenByMakeDataset) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_minari";
  fs::remove_all(root);
  const absl::StatusOr<CommandOutput> written = RunCommand(
      {"datagen/make_dataset", "--task=maze2d-umaze-v1", "--size=3000", "--format=minari",
       absl::StrCat("--cache_dir=", (root / "generator-cache").string()),
       absl::StrCat("--minari_dir=", (root / "minari").string())});
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_TRUE(written->finished.ok) << written->output;
  ASSERT_TRUE(fs::exists(root / "minari/romi/maze2d/umaze-v1/data/metadata.json"));

  const fs::path out = root / "suite";
  const absl::StatusOr<CommandOutput> suite =
      RunCommand({"eval/d4rl_suite", "--budget=smoke", "--methods=bc", "--tasks=maze2d-umaze-v1",
                  "--jobs=1", "--threads=1", "--progress=false",
                  absl::StrCat("--dataset_dir=", (root / "no-d4rl-files").string()),
                  absl::StrCat("--cache_dir=", (root / "suite-cache").string()),
                  absl::StrCat("--minari_dir=", (root / "minari").string()),
                  absl::StrCat("--out=", out.string())});
  ASSERT_TRUE(suite.ok()) << suite.status();
  ASSERT_TRUE(suite->finished.ok) << suite->output;
  SuiteResults results;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Read(out / "results.json"), &results).ok());
  ASSERT_EQ(results.run_size(), 1);
  EXPECT_NE(results.run(0).dataset_source().find("Minari dataset romi/maze2d/umaze-v1"),
            std::string::npos)
      << results.run(0).dataset_source();
  EXPECT_FALSE(fs::exists(root / "suite-cache")) << "the suite generated a dataset of its own";

  // A Minari dataset of another shape is refused before any training.
  const absl::StatusOr<CommandOutput> mismatched =
      RunCommand({"eval/d4rl_suite", "--budget=smoke", "--methods=bc", "--tasks=hopper-medium-v2",
                  "--jobs=1", "--threads=1", "--progress=false", "--minari_id=romi/maze2d/umaze-v1",
                  absl::StrCat("--minari_dir=", (root / "minari").string()),
                  absl::StrCat("--out=", (root / "mismatched").string())});
  ASSERT_TRUE(mismatched.ok()) << mismatched.status();
  EXPECT_FALSE(mismatched->finished.ok);
  EXPECT_NE(mismatched->output.find("observations of 4 and actions of 2 numbers, but "
                                    "hopper-medium-v2 has 11 and 3"),
            std::string::npos)
      << mismatched->output;
}

// --precision=bf16 reaches every run's learner, names the budget, and a suite in one precision
// never resumes runs of the other.
// q_calibration replays a finished run's final evaluation with its saved learner: the same
// score, and the critic's Q(s0, a0) beside the discounted return.
TEST(D4rlSuiteTest, QCalibrationReplaysARunsFinalEvaluationAndTheValuesTheRunRecorded) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_q_calibration";
  fs::remove_all(root);
  const absl::StatusOr<CommandOutput> suite =
      RunCommand({"eval/d4rl_suite", "--budget=smoke", "--methods=bcq", "--tasks=maze2d-umaze-v1",
                  "--jobs=1", "--threads=1", "--progress=false", "--search_user_datasets=false",
                  absl::StrCat("--cache_dir=", (root / "cache").string()),
                  absl::StrCat("--out=", (root / "suite").string())});
  ASSERT_TRUE(suite.ok()) << suite.status();
  ASSERT_TRUE(suite->finished.ok) << suite->output;
  SuiteResults results;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Read(root / "suite/results.json"), &results)
          .ok());
  ASSERT_EQ(results.run_size(), 1);
  const RunResult& run = results.run(0);
  const absl::StatusOr<CommandOutput> calibration =
      RunCommand({"eval/q_calibration", absl::StrCat("--run_dir=", run.run_dir()),
                  absl::StrCat("--episodes=", run.final().episodes())});
  ASSERT_TRUE(calibration.ok()) << calibration.status();
  ASSERT_TRUE(calibration->finished.ok) << calibration->output;
  EXPECT_NE(calibration->output.find("Q(s0,a0)"), std::string::npos) << calibration->output;
  EXPECT_NE(calibration->output.find(absl::StrFormat("score %.1f\n", run.final().score_mean())),
            std::string::npos)
      << calibration->output;
  // The suite records the same comparison at every evaluation; the tool agrees with the final one.
  for (const Evaluation& evaluation : run.curve()) {
    EXPECT_TRUE(evaluation.has_q_start_mean()) << evaluation.step();
    EXPECT_TRUE(evaluation.has_discounted_return_mean()) << evaluation.step();
  }
  ASSERT_TRUE(run.final().has_q_start_mean());
  EXPECT_NE(
      calibration->output.find(absl::StrFormat("Q(s0,a0) %.2f +- ", run.final().q_start_mean())),
      std::string::npos)
      << calibration->output;
  EXPECT_NE(calibration->output.find(absl::StrFormat("discounted return %.2f +- ",
                                                     run.final().discounted_return_mean())),
            std::string::npos)
      << calibration->output;
  // A directory without a run is an error naming the file, not a crash.
  const absl::StatusOr<CommandOutput> missing =
      RunCommand({"eval/q_calibration", absl::StrCat("--run_dir=", (root / "none").string())});
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->finished.ok);
  EXPECT_NE(missing->output.find("config.textproto"), std::string::npos) << missing->output;
}

TEST(D4rlSuiteTest, APrecisionFlagTrainsInThatPrecisionAndNeverMixesTheTwo) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_precision";
  fs::remove_all(root);
  const auto suite = [&](const std::string& precision) {
    return RunCommand({"eval/d4rl_suite", "--budget=smoke", "--methods=bcq",
                       "--tasks=maze2d-umaze-v1", "--jobs=1", "--threads=1", "--progress=false",
                       "--search_user_datasets=false", absl::StrCat("--precision=", precision),
                       absl::StrCat("--cache_dir=", (root / "cache").string()),
                       absl::StrCat("--out=", (root / "suite").string())});
  };
  const absl::StatusOr<CommandOutput> bf16 = suite("bf16");
  ASSERT_TRUE(bf16.ok()) << bf16.status();
  ASSERT_TRUE(bf16->finished.ok) << bf16->output;
  SuiteResults results;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(Read(root / "suite/results.json"), &results)
          .ok());
  EXPECT_EQ(results.budget(), "smoke-bf16");
  EXPECT_NE(results.budget_note().find("bfloat16"), std::string::npos) << results.budget_note();
  ASSERT_EQ(results.run_size(), 1);
  EXPECT_TRUE(std::isfinite(results.run(0).final().score_mean()));
  const std::string config = Read(fs::path(results.run(0).run_dir()) / "config.textproto");
  EXPECT_NE(config.find("precision: BF16"), std::string::npos) << config;

  // The same run asked for in fp32 is refused, naming the run's config; its bf16 result stays.
  const absl::StatusOr<CommandOutput> fp32 = suite("fp32");
  ASSERT_TRUE(fp32.ok()) << fp32.status();
  EXPECT_FALSE(fp32->finished.ok) << fp32->output;
  EXPECT_NE(fp32->output.find("config.textproto"), std::string::npos) << fp32->output;
  EXPECT_NE(Read(fs::path(results.run(0).run_dir()) / "config.textproto").find("BF16"),
            std::string::npos);

  const absl::StatusOr<CommandOutput> bad = suite("fp16");
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_FALSE(bad->finished.ok);
  EXPECT_NE(bad->output.find("precision 'fp16' is none of fp32, bf16, bf16-policy"),
            std::string::npos)
      << bad->output;
}

// `options` run two at a time in worker processes: the d4rl_suite binary under the smoke budget,
// one torch thread each, datasets from the cache under `root`.
void InTwoWorkers(SuiteOptions& options, const fs::path& root) {
  options.jobs = 2;
  options.worker_command = {"eval/d4rl_suite",
                            "--budget=smoke",
                            "--search_user_datasets=false",
                            absl::StrCat("--cache_dir=", (root / "cache").string()),
                            absl::StrCat("--out=", options.out_dir),
                            "--threads=1",
                            "--progress=false"};
}

// Run by run, `b` learned what `a` learned: the same result and the same learner tensors.
void ExpectSameLearning(const SuiteResults& a, const SuiteResults& b) {
  ASSERT_EQ(a.run_size(), b.run_size());
  for (int i = 0; i < a.run_size(); ++i) {
    EXPECT_EQ(Learned(a.run(i)), Learned(b.run(i))) << a.run(i).method();
    EXPECT_EQ(CheckpointDifference(fs::path(a.run(i).run_dir()) / "learner.pt",
                                   fs::path(b.run(i).run_dir()) / "learner.pt"),
              "")
        << a.run(i).method() << " seed " << a.run(i).seed();
  }
}

// Runs in worker processes (the d4rl_suite binary, --run=...) give what runs in this process give,
// bit for bit, with one torch thread per run either way.
TEST(D4rlSuiteTest, ConcurrentRunsGiveTheResultsOfOneRunAtATime) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_jobs";
  fs::remove_all(root);
  learners::SetIntraOpThreads(1);
  SuiteOptions serial = SmokeSuite(root);
  serial.methods = {"romi-bcq", "bcq"};
  serial.seeds = {0, 1};
  serial.out_dir = (root / "serial").string();
  absl::StatusOr<SuiteResults> one = RunSuite(serial);
  ASSERT_TRUE(one.ok()) << one.status();

  SuiteOptions concurrent = serial;
  concurrent.out_dir = (root / "concurrent").string();
  InTwoWorkers(concurrent, root);
  absl::StatusOr<SuiteResults> two = RunSuite(concurrent);
  ASSERT_TRUE(two.ok()) << two.status();
  ASSERT_EQ(two->failed_size(), 0) << two->failed(0).error();
  ASSERT_EQ(two->run_size(), 4);
  ASSERT_EQ(one->run_size(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(two->run(i).threads(), 1);
  ExpectSameLearning(*one, *two);
  // Each worker's output went to its run directory.
  EXPECT_TRUE(fs::exists(fs::path(two->run(0).run_dir()) / "worker.log"));
}

// Methods that make the same model stages (romi-bcq and romi-cql: the same reverse model, rollout
// policy and imagination; romi-bcq@h1: the same model and rollout policy) make them once in the
// suite's shared directory, also from concurrent workers, and learn what they learn alone.
TEST(D4rlSuiteTest, RunsOfTheSameModelShareItAndLearnWhatTheyWouldAlone) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_shared_stages";
  fs::remove_all(root);
  learners::SetIntraOpThreads(1);
  SuiteOptions alone = SmokeSuite(root);
  alone.methods = {"romi-bcq", "romi-cql", "romi-bcq@h1"};
  alone.out_dir = (root / "alone").string();
  alone.shared_stage_dir = "";
  absl::StatusOr<SuiteResults> separate = RunSuite(alone);
  ASSERT_TRUE(separate.ok()) << separate.status();

  SuiteOptions sharing = alone;
  sharing.out_dir = (root / "sharing").string();
  sharing.shared_stage_dir = (root / "sharing" / "shared_stages").string();
  InTwoWorkers(sharing, root);  // the workers share stages in <out>/shared_stages, the default
  absl::StatusOr<SuiteResults> shared = RunSuite(sharing);
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_EQ(shared->failed_size(), 0) << shared->failed(0).error();
  ASSERT_EQ(shared->run_size(), 3);
  ASSERT_EQ(separate->run_size(), 3);
  ExpectSameLearning(*separate, *shared);
  // Each stage was made once: one entry per distinct stage (dynamics, rollout policy, and the two
  // imaginations of rollout lengths 5 and 1), and every run's stage files are its entry's.
  std::map<std::string, int> entries;
  for (const auto& entry : fs::directory_iterator(sharing.shared_stage_dir)) {
    const std::string name = entry.path().filename().string();
    ++entries[name.substr(0, name.rfind('-'))];
  }
  EXPECT_EQ(entries, (std::map<std::string, int>{
                         {"dynamics", 1}, {"imagination", 2}, {"rollout_policy", 1}}));
  const fs::path romi_bcq = shared->run(0).run_dir();
  const fs::path romi_cql = shared->run(1).run_dir();
  const fs::path short_rollouts = shared->run(2).run_dir();
  EXPECT_TRUE(fs::equivalent(romi_bcq / "dynamics.pt", romi_cql / "dynamics.pt"));
  EXPECT_TRUE(fs::equivalent(romi_bcq / "dynamics.pt", short_rollouts / "dynamics.pt"));
  EXPECT_TRUE(fs::equivalent(romi_bcq / "model_buffer.pt", romi_cql / "model_buffer.pt"));
  EXPECT_FALSE(fs::equivalent(romi_bcq / "model_buffer.pt", short_rollouts / "model_buffer.pt"));
}

// A resumed suite reads back every finished run before it trains any: its first report already
// lists them, whatever their place in the plan.
TEST(D4rlSuiteTest, AResumedSuiteReportsItsFinishedRunsBeforeTraining) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_finished_first";
  fs::remove_all(root);
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"bc"};
  options.seeds = {0, 1};
  ASSERT_TRUE(RunSuite(options).ok());
  fs::remove(fs::path(RunDirectory(options.out_dir, "maze2d-umaze-v1", "bc", 0)) /
             "result.textproto");
  std::vector<std::vector<uint64_t>> reports;  // the seeds of each report's runs
  options.on_report = [&reports](const SuiteResults& results) {
    std::vector<uint64_t> seeds;
    for (const RunResult& run : results.run()) seeds.push_back(run.seed());
    reports.push_back(seeds);
    return absl::OkStatus();
  };
  ASSERT_TRUE(RunSuite(options).ok());
  EXPECT_EQ(reports, (std::vector<std::vector<uint64_t>>{{1}, {0, 1}}));
}

TEST(D4rlSuiteTest, AFailedRunIsListedAndTheOthersFinish) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_failure";
  fs::remove_all(root);
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"bc"};
  options.seeds = {0, 1};
  // A file where seed 0's run directory should be: that run cannot start.
  const fs::path blocked = fs::path(options.out_dir) / "runs" / "maze2d-umaze-v1" / "bc" / "seed0";
  fs::create_directories(blocked.parent_path());
  std::ofstream(blocked) << "not a directory";
  absl::StatusOr<SuiteResults> results = RunSuite(options);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->run_size(), 1);
  EXPECT_EQ(results->run(0).seed(), 1u);
  ASSERT_EQ(results->failed_size(), 1);
  EXPECT_EQ(results->failed(0).seed(), 0u);
  EXPECT_NE(results->failed(0).error().find("seed0"), std::string::npos)
      << results->failed(0).error();
  EXPECT_NE(
      Read(fs::path(options.out_dir) / "results.md").find("| maze2d-umaze-v1 | bc | 0 | failed: "),
      std::string::npos);
}

// A finished run is not an answer for other data: the same suite on a dataset of another size
// (another draw of the generator) lists the run as failed, naming the fingerprint file.
TEST(D4rlSuiteTest, AFinishedRunOnOtherDataIsRefusedNotReported) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_other_data";
  fs::remove_all(root);
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"bc"};
  ASSERT_TRUE(RunSuite(options).ok());
  const DatasetProvider same_data = options.datasets;
  options.datasets = [same_data](const std::string& task, int64_t rows) {
    return same_data(task, rows + 100);
  };
  absl::StatusOr<SuiteResults> results = RunSuite(options);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->run_size(), 0);
  ASSERT_EQ(results->failed_size(), 1);
  EXPECT_NE(results->failed(0).error().find("data.fingerprint"), std::string::npos)
      << results->failed(0).error();
  // A report without the data (--collect, as a cluster sweep's last job) does not list it either:
  // the suite recorded the data it last loaded for the task.
  options.collect_only = true;
  results = RunSuite(options);
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->run_size(), 0);
  ASSERT_EQ(results->missing_size(), 1);
  EXPECT_NE(results->missing(0).state().find("data.fingerprint"), std::string::npos)
      << results->missing(0).state();
  EXPECT_EQ(*UnfinishedRuns(options), std::vector<std::string>{"maze2d-umaze-v1,bc,0"});
}

// A finished suite asked for more steps extends its runs: the same as training that long at once.
TEST(D4rlSuiteTest, MoreStepsExtendFinishedRunsToTheLongerRun) {
  const fs::path root = fs::path(::testing::TempDir()) / "d4rl_suite_extend";
  fs::remove_all(root);
  learners::SetIntraOpThreads(1);
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"romi-bcq"};
  options.out_dir = (root / "at_once").string();
  options.learner_steps = 30;
  absl::StatusOr<SuiteResults> at_once = RunSuite(options);
  ASSERT_TRUE(at_once.ok()) << at_once.status();

  options.out_dir = (root / "extended").string();
  options.learner_steps = 10;
  absl::StatusOr<SuiteResults> shorter = RunSuite(options);
  ASSERT_TRUE(shorter.ok()) << shorter.status();
  EXPECT_EQ(shorter->run(0).final().step(), 10);
  options.learner_steps = 30;
  absl::StatusOr<SuiteResults> extended = RunSuite(options);
  ASSERT_TRUE(extended.ok()) << extended.status();
  ASSERT_EQ(extended->run_size(), 1);
  EXPECT_EQ(extended->run(0).final().step(), 30);
  ASSERT_EQ(extended->run(0).curve_size(), 3);
  EXPECT_EQ(Learned(at_once->run(0)), Learned(extended->run(0)));

  // TensorBoard curves: the extended run's event file holds each step once, with the values of
  // the run made at once, and every CRC checks.
  std::string problem;
  const Scalars once = EventScalars(at_once->run(0).run_dir(), &problem);
  EXPECT_EQ(problem, "");
  const Scalars resumed = EventScalars(extended->run(0).run_dir(), &problem);
  EXPECT_EQ(problem, "");
  for (const char* tag : {"eval/score", "eval/return", "learner/critic_loss"}) {
    ASSERT_EQ(resumed.count(tag), 1u) << tag;
    EXPECT_EQ(resumed.at(tag).size(), 3u) << tag;  // steps 10, 20, 30
    EXPECT_EQ(resumed.at(tag), once.at(tag)) << tag;
  }
  EXPECT_EQ(resumed.at("eval/final_score").size(),
            2u);  // the 10-step run's, then the 30-step one's
  EXPECT_EQ(resumed.at("dynamics/holdout_mse"), once.at("dynamics/holdout_mse"));
  EXPECT_EQ(resumed.count("rollout_policy/loss"), once.count("rollout_policy/loss"));

  // Asking a run for fewer steps than it has is refused, not silently reported.
  options.learner_steps = 20;
  absl::StatusOr<SuiteResults> fewer = RunSuite(options);
  ASSERT_TRUE(fewer.ok()) << fewer.status();
  ASSERT_EQ(fewer->failed_size(), 1);
  EXPECT_NE(fewer->failed(0).error().find("more than the 20 asked for"), std::string::npos)
      << fewer->failed(0).error();
}

// --collect (and a cluster's report job): the report from whatever the run directories hold,
// training nothing; and the runs a resubmission still has to train.
TEST(D4rlSuiteTest, CollectReportsFinishedFailedRunningAndNotStartedRuns) {
  const fs::path root = fs::path(::testing::TempDir()) / "collect";
  fs::remove_all(root);
  SuiteOptions options = SmokeSuite(root);
  options.methods = {"bc", "bcq", "cql", "romi-bcq"};
  const std::string task = "maze2d-umaze-v1";
  const absl::StatusOr<RunResult> bc = RunOne(options, task, "bc", 0);
  ASSERT_TRUE(bc.ok()) << bc.status();
  absl::StatusOr<std::vector<std::string>> unfinished = UnfinishedRuns(options);
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  EXPECT_EQ(*unfinished, (std::vector<std::string>{RunKey(task, "bcq", 0), RunKey(task, "cql", 0),
                                                   RunKey(task, "romi-bcq", 0)}));
  // bcq stopped with an error; cql is training now (its lock held); romi-bcq never started.
  const fs::path bcq = RunDirectory(options.out_dir, task, "bcq", 0);
  const fs::path cql = RunDirectory(options.out_dir, task, "cql", 0);
  fs::create_directories(bcq);
  fs::create_directories(cql);
  std::ofstream(bcq / "worker.log") << "starting\nd4rl_suite: out of patience\n";
  std::ofstream(cql / "log.txt") << "[learner] step 5 / 20\n";
  absl::StatusOr<std::unique_ptr<FileLock>> training = FileLock::TryAcquire(cql / "run.lock");
  ASSERT_TRUE(training.ok()) << training.status();

  options.collect_only = true;
  const absl::StatusOr<SuiteResults> collected = RunSuite(options);
  ASSERT_TRUE(collected.ok()) << collected.status();
  ASSERT_EQ(collected->run_size(), 1);
  EXPECT_EQ(Learned(collected->run(0)), Learned(*bc));
  ASSERT_EQ(collected->failed_size(), 1);
  EXPECT_EQ(collected->failed(0).method(), "bcq");
  EXPECT_NE(collected->failed(0).error().find("stopped at step 0 of 20: d4rl_suite: out of "
                                              "patience"),
            std::string::npos)
      << collected->failed(0).error();
  EXPECT_EQ(collected->failed(0).log(), (bcq / "worker.log").string());
  ASSERT_EQ(collected->missing_size(), 2);
  EXPECT_EQ(collected->missing(0).method(), "cql");
  EXPECT_EQ(collected->missing(0).state().rfind("running: at step 0 of 20 (", 0), 0)
      << collected->missing(0).state();
  EXPECT_NE(collected->missing(0).state().find("held by another process (pid "), std::string::npos);
  EXPECT_EQ(collected->missing(1).method(), "romi-bcq");
  EXPECT_EQ(collected->missing(1).state(), "not started");
  EXPECT_FALSE(fs::exists(bcq / "learner.pt"));  // nothing trained
  const std::string report = Read(fs::path(options.out_dir) / "results.md");
  EXPECT_NE(report.find("**1 of 4 runs finished** (1 failed, 2 not finished)"), std::string::npos)
      << report;
  EXPECT_NE(report.find("| maze2d-umaze-v1 | romi-bcq | 0 | not started |"), std::string::npos)
      << report;
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
