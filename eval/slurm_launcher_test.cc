#include "eval/slurm_launcher.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class SlurmLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_);
    sweep_.out_dir = (root_ / "out").string();
    // Each command echoes its arguments: running a script shows what the job would run.
    sweep_.run_command = {"/bin/echo", "run", "--out=/shared/it's"};
    sweep_.prepare_command = {"/bin/echo", "prepare"};
    sweep_.report_command = {"/bin/echo", "report"};
    sweep_.environment = {{"ROMI_POLICY_DIR", "/stage/policies"}};
    for (int seed = 0; seed < 3; ++seed) {
      sweep_.runs.push_back(absl::StrCat("maze2d-umaze-v1,bcq,", seed));
      sweep_.run_dirs.push_back(
          (root_ / "out/runs/maze2d-umaze-v1/bcq" / absl::StrCat("seed", seed)).string());
    }
    fs::create_directories(SlurmStageDir(sweep_.out_dir));
    resources_.cpus_per_task = 2;
    resources_.memory = "3G";
    resources_.time_limit = "04:00:00";
    resources_.max_running = 2;
    resources_.sbatch_args = {"--partition=cpu"};
  }

  // An sbatch stand-in: appends its arguments to calls.txt and prints the next job id, or exits
  // with Slurm's message when `refuse` is set.
  std::string FakeSbatch(bool refuse = false) {
    const fs::path path = root_ / "sbatch";
    Write(path,
          absl::StrCat("#!/bin/sh\n", "echo \"$*\" >> '", (root_ / "calls.txt").string(), "'\n",
                       refuse ? "echo 'sbatch: error: Batch job submission failed: Invalid "
                                "partition name specified' >&2; exit 1\n"
                              : "n=$(wc -l < '" + (root_ / "calls.txt").string() +
                                    "'); echo \"$((100 + n));romi\"\n"));
    chmod(path.c_str(), 0755);
    return path.string();
  }

  fs::path root_;
  SlurmSweep sweep_;
  SlurmResources resources_;
};

TEST(ShellQuoteTest, QuotesEverythingBashWouldExpand) {
  EXPECT_EQ(ShellQuote("plain"), "'plain'");
  EXPECT_EQ(ShellQuote("it's $HOME"), "'it'\\''s $HOME'");
}

TEST_F(SlurmLauncherTest, TheArrayScriptHasOneTaskPerRunAndTheResources) {
  const std::string script = RunsScript(sweep_, resources_);
  EXPECT_THAT(script, HasSubstr("#SBATCH --array=0-2%2\n"));
  EXPECT_THAT(script, HasSubstr("#SBATCH --cpus-per-task=2\n"));
  EXPECT_THAT(script, HasSubstr("#SBATCH --mem=3G\n"));
  EXPECT_THAT(script, HasSubstr("#SBATCH --time=04:00:00\n"));
  EXPECT_THAT(script, HasSubstr(absl::StrCat("#SBATCH --output=", sweep_.out_dir,
                                             "/slurm/logs/run-%A_%a.log\n")));
  EXPECT_THAT(script, HasSubstr("  'maze2d-umaze-v1,bcq,2'\n"));
  EXPECT_THAT(script, HasSubstr("export ROMI_POLICY_DIR='/stage/policies'\n"));
  resources_.max_running = 0;
  EXPECT_THAT(RunsScript(sweep_, resources_), HasSubstr("#SBATCH --array=0-2\n"));
}

// The script as Slurm would run it for array task 1: the run's output lands in its worker.log.
TEST_F(SlurmLauncherTest, AnArrayTaskRunsItsOwnRunIntoItsRunDirectory) {
  const fs::path script = root_ / "runs.sbatch";
  Write(script, RunsScript(sweep_, resources_));
  const std::string command =
      absl::StrCat("SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=7 bash ", script.string());
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string log = Read(fs::path(sweep_.run_dirs[1]) / "worker.log");
  EXPECT_THAT(log, HasSubstr("slurm job 7_1 on "));
  EXPECT_THAT(log, HasSubstr("run --out=/shared/it's --run=maze2d-umaze-v1,bcq,1\n"));
  EXPECT_FALSE(fs::exists(fs::path(sweep_.run_dirs[0]) / "worker.log"));
}

TEST_F(SlurmLauncherTest, SubmitsPrepareThenArrayThenReportAsDependencies) {
  const absl::StatusOr<SlurmSubmission> submitted =
      SubmitSweep(sweep_, resources_, FakeSbatch(), /*dry_run=*/false);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->prepare_job, "101");
  EXPECT_EQ(submitted->runs_job, "102");
  EXPECT_EQ(submitted->report_job, "103");
  const std::string slurm = sweep_.out_dir + "/slurm";
  EXPECT_EQ(Read(root_ / "calls.txt"),
            absl::StrCat("--parsable --partition=cpu ", slurm, "/prepare.sbatch\n",
                         "--parsable --partition=cpu --dependency=afterok:101 "
                         "--kill-on-invalid-dep=yes ",
                         slurm, "/runs.sbatch\n",
                         "--parsable --partition=cpu "
                         "--dependency=afterany:102 ",
                         slurm, "/report.sbatch\n"));
  EXPECT_THAT(Read(slurm + "/submitted.txt"),
              HasSubstr("prepare job 101, runs job 102 (3 array tasks), report job 103"));
  EXPECT_THAT(Read(slurm + "/prepare.sbatch"), HasSubstr("exec '/bin/echo' 'prepare'\n"));
  EXPECT_THAT(Read(slurm + "/report.sbatch"), HasSubstr("#SBATCH --cpus-per-task=1\n"));
}

TEST_F(SlurmLauncherTest, WithNothingLeftToTrainOnlyTheReportIsSubmitted) {
  sweep_.runs.clear();
  sweep_.run_dirs.clear();
  const absl::StatusOr<SlurmSubmission> submitted =
      SubmitSweep(sweep_, resources_, FakeSbatch(), /*dry_run=*/false);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->prepare_job, "");
  EXPECT_EQ(submitted->runs_job, "");
  EXPECT_EQ(submitted->report_job, "101");
  EXPECT_THAT(Read(root_ / "calls.txt"), Not(HasSubstr("dependency")));
}

TEST_F(SlurmLauncherTest, ADryRunWritesTheScriptsAndSubmitsNothing) {
  const absl::StatusOr<SlurmSubmission> submitted =
      SubmitSweep(sweep_, resources_, FakeSbatch(), /*dry_run=*/true);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_FALSE(fs::exists(root_ / "calls.txt"));
  ASSERT_EQ(submitted->commands.size(), 3u);
  EXPECT_EQ(submitted->scripts,
            (std::vector<std::string>{sweep_.out_dir + "/slurm/prepare.sbatch",
                                      sweep_.out_dir + "/slurm/runs.sbatch",
                                      sweep_.out_dir + "/slurm/report.sbatch"}));
  EXPECT_THAT(submitted->commands[1], HasSubstr("'--dependency=afterok:<job 1>'"));
  EXPECT_TRUE(fs::exists(sweep_.out_dir + "/slurm/runs.sbatch"));
  EXPECT_FALSE(fs::exists(sweep_.out_dir + "/slurm/submitted.txt"));
}

TEST_F(SlurmLauncherTest, ARefusedSubmissionShowsSlurmsMessage) {
  const absl::StatusOr<SlurmSubmission> submitted =
      SubmitSweep(sweep_, resources_, FakeSbatch(/*refuse=*/true), /*dry_run=*/false);
  EXPECT_EQ(submitted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(submitted.status().message(), HasSubstr("sbatch refused"));
  EXPECT_THAT(submitted.status().message(), HasSubstr("prepare.sbatch"));
  EXPECT_THAT(submitted.status().message(), HasSubstr("Invalid partition name specified"));
}

TEST_F(SlurmLauncherTest, AnUnwritableOutputDirectoryIsAClearError) {
  sweep_.out_dir = "/proc/romi-out";
  const absl::StatusOr<SlurmSubmission> submitted =
      SubmitSweep(sweep_, resources_, FakeSbatch(), /*dry_run=*/false);
  EXPECT_FALSE(submitted.ok());
  EXPECT_THAT(submitted.status().message(), HasSubstr("/proc/romi-out/slurm"));
}

TEST_F(SlurmLauncherTest, StagesFilesAndDirectoriesAndNamesAMissingOne) {
  Write(root_ / "src/configs/a.textproto", "a");
  Write(root_ / "src/configs/sub/b.textproto", "b");
  // Bazel's runfiles are symlinks: the files they point to are staged.
  Write(root_ / "elsewhere/c.textproto", "c");
  fs::create_symlink(root_ / "elsewhere/c.textproto", root_ / "src/configs/c.textproto");
  Write(root_ / "src/program", "binary");
  chmod((root_ / "src/program").c_str(), 0755);
  const std::string stage = (root_ / "stage").string();
  ASSERT_TRUE(StageFiles({{(root_ / "src/configs").string(), "eval/configs"},
                          {(root_ / "src/program").string(), "eval/d4rl_suite"}},
                         stage)
                  .ok());
  EXPECT_EQ(Read(root_ / "stage/eval/configs/a.textproto"), "a");
  EXPECT_EQ(Read(root_ / "stage/eval/configs/sub/b.textproto"), "b");
  EXPECT_EQ(Read(root_ / "stage/eval/configs/c.textproto"), "c");
  EXPECT_FALSE(fs::is_symlink(root_ / "stage/eval/configs/c.textproto"));
  EXPECT_EQ(Read(root_ / "stage/eval/d4rl_suite"), "binary");
  EXPECT_TRUE((fs::status(root_ / "stage/eval/d4rl_suite").permissions() & fs::perms::owner_exec) !=
              fs::perms::none);
  // Staging again replaces the files (a resubmission after a rebuild).
  Write(root_ / "src/program", "rebuilt");
  ASSERT_TRUE(StageFiles({{(root_ / "src/program").string(), "eval/d4rl_suite"}}, stage).ok());
  EXPECT_EQ(Read(root_ / "stage/eval/d4rl_suite"), "rebuilt");
  const absl::Status missing = StageFiles({{(root_ / "nope").string(), "x"}}, stage);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr((root_ / "nope").string()));
}

}  // namespace
}  // namespace romi::eval
