// The suite through a real Slurm cluster: Debian's slurmctld and slurmd on this machine
// (tools/local_slurm.sh, in this test's own directory and on free ports), the real sbatch and
// squeue. A smoke-budget suite of three runs goes through `d4rl_suite --launcher=slurm` (prepare
// job, job array, report job), and its report must hold what a local run with the same seeds and
// threads learns, bit for bit. Resubmitting trains only what is left.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "eval/suite.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/smoke_suite.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

// A TCP port nothing listens on now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

CommandOutput Execute(const std::vector<std::string>& argv) {
  absl::StatusOr<CommandOutput> done = RunCommand(argv);
  EXPECT_TRUE(done.ok()) << done.status();
  return done.ok() ? *done : CommandOutput{};
}

// The cluster of this test, shut down and removed when the test ends (also when it fails). Its
// state lives in a short /tmp path: slurmd's sockets in its spool directory must fit in the 108
// bytes of a Unix socket name, which a path in Bazel's output base does not.
class LocalCluster {
 public:
  LocalCluster() {
    char pattern[] = "/tmp/romi-slurm-test-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    setenv("ROMI_SLURM_DIR", dir_.c_str(), 1);
    const int port = FreePort();
    int slurmd_port = FreePort();
    while (slurmd_port == port) slurmd_port = FreePort();
    setenv("ROMI_SLURM_PORT", absl::StrCat(port).c_str(), 1);
    setenv("ROMI_SLURMD_PORT", absl::StrCat(slurmd_port).c_str(), 1);
    setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
    const CommandOutput started = Execute({"/bin/bash", "tools/local_slurm.sh", "start"});
    up_ = started.finished.ok;
    start_output_ = started.output;
  }
  ~LocalCluster() {
    if (dir_.empty()) return;
    Execute({"/bin/bash", "tools/local_slurm.sh", "stop"});
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  bool up() const { return up_; }
  const std::string& start_output() const { return start_output_; }
  std::string Log() const {
    return ReadFile(dir_ / "log/slurmctld.log") + ReadFile(dir_ / "log/slurmd.log");
  }

 private:
  fs::path dir_;
  bool up_ = false;
  std::string start_output_;
};

// Waits (bounded) until Slurm lists none of the jobs.
bool WaitForJobs(const std::vector<std::string>& jobs, std::chrono::seconds limit) {
  const absl::StatusOr<std::string> squeue = FindOnPath("squeue");
  if (!squeue.ok()) return false;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const CommandOutput listed =
        Execute({*squeue, "-h", "-o", "%i %T %r", "-j", absl::StrJoin(jobs, ",")});
    // Jobs Slurm no longer knows make squeue fail: they are long finished.
    if (!listed.finished.ok || listed.output.find_first_not_of(" \n") == std::string::npos) {
      return true;
    }
    // A job the node could not start is requeued and held: it would wait for ever.
    if (listed.output.find("launch failed") != std::string::npos) {
      ADD_FAILURE() << listed.output;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// The job ids the launcher printed: "prepare job 1, runs job array 2 (3 tasks); report job 3."
std::vector<std::string> SubmittedJobs(const std::string& output) {
  std::vector<std::string> jobs;
  const std::regex id(R"((prepare job|runs job array|report job) (\d+))");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), id);
       it != std::sregex_iterator(); ++it) {
    jobs.push_back((*it)[2]);
  }
  return jobs;
}

// Each run's learning (tests/smoke_suite.h Learned) by method.
std::map<std::string, std::string> LearnedByMethod(const fs::path& out) {
  SuiteResults results;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(ReadFile(out / "results.json"), &results).ok())
      << out;
  std::map<std::string, std::string> learned;
  for (const RunResult& run : results.run()) learned[run.method()] = Learned(run);
  EXPECT_EQ(results.failed_size(), 0) << ReadFile(out / "results.md");
  EXPECT_EQ(results.missing_size(), 0) << ReadFile(out / "results.md");
  return learned;
}

const std::vector<std::string> kSuite = {"eval/d4rl_suite",  "--budget=smoke",
                                         "--seeds=0",        "--methods=bc,bcq,romi-bcq",
                                         "--progress=false", "--search_user_datasets=false"};

TEST(SlurmTest, ASuiteThroughRealSbatchLearnsWhatALocalRunLearns) {
  const fs::path root = fs::path(::testing::TempDir()) / "slurm";
  fs::remove_all(root);
  fs::create_directories(root);
  const auto start = std::chrono::steady_clock::now();
  const LocalCluster cluster;
  ASSERT_TRUE(cluster.up()) << cluster.start_output();

  // The reference: the same runs on this machine, one thread each.
  std::vector<std::string> local = kSuite;
  local.insert(local.end(),
               {"--jobs=1", "--threads=1", absl::StrCat("--out=", (root / "local").string()),
                absl::StrCat("--cache_dir=", (root / "local_cache").string())});
  const CommandOutput local_run = Execute(local);
  ASSERT_TRUE(local_run.finished.ok) << local_run.output;

  // The cluster: one core per run (so one torch thread), datasets in <out>/datasets.
  const fs::path out = root / "on_slurm";
  std::vector<std::string> submit = kSuite;
  submit.insert(submit.end(), {"--launcher=slurm", "--slurm_cpus_per_task=1", "--slurm_mem=1G",
                               "--slurm_time=00:10:00", absl::StrCat("--out=", out.string())});
  CommandOutput submitted = Execute(submit);
  ASSERT_TRUE(submitted.finished.ok) << submitted.output;
  EXPECT_NE(submitted.output.find("3 of 3 runs to train"), std::string::npos) << submitted.output;
  std::vector<std::string> jobs = SubmittedJobs(submitted.output);
  ASSERT_EQ(jobs.size(), 3u) << submitted.output;
  ASSERT_TRUE(WaitForJobs(jobs, std::chrono::seconds(300)))
      << "the jobs did not finish in 300 s; " << cluster.Log();
  const auto submitted_at = std::chrono::steady_clock::now();

  const std::map<std::string, std::string> reference = LearnedByMethod(root / "local");
  ASSERT_EQ(reference.size(), 3u);
  EXPECT_EQ(LearnedByMethod(out), reference) << ReadFile(out / "results.md");
  // The dataset was generated once, by the prepare job; every run read it from the cache.
  const std::string prepare_log = ReadFile(out / "slurm/logs" / ("prepare-" + jobs[0] + ".log"));
  EXPECT_NE(prepare_log.find("generated maze2d-umaze-v1"), std::string::npos) << prepare_log;
  for (const char* method : {"bc", "bcq", "romi-bcq"}) {
    const std::string log = ReadFile(out / "runs/maze2d-umaze-v1" / method / "seed0/worker.log");
    EXPECT_NE(log.find(absl::StrCat("slurm job ", jobs[1], "_")), std::string::npos) << log;
    EXPECT_NE(log.find("from the cache"), std::string::npos) << log;
  }
  EXPECT_NE(ReadFile(out / "slurm/runs.sbatch").find("#SBATCH --array=0-2\n"), std::string::npos);

  // A resubmission with everything finished submits only the report.
  submitted = Execute(submit);
  ASSERT_TRUE(submitted.finished.ok) << submitted.output;
  EXPECT_NE(submitted.output.find("0 of 3 runs to train; report job"), std::string::npos)
      << submitted.output;
  jobs = SubmittedJobs(submitted.output);
  ASSERT_EQ(jobs.size(), 1u) << submitted.output;
  ASSERT_TRUE(WaitForJobs(jobs, std::chrono::seconds(120)));
  EXPECT_EQ(LearnedByMethod(out), reference);

  // A run whose result is lost (an interrupted one) is the only one resubmitted, and resumes from
  // its checkpoints to the same result.
  fs::remove(out / "runs/maze2d-umaze-v1/bcq/seed0/result.textproto");
  submitted = Execute(submit);
  ASSERT_TRUE(submitted.finished.ok) << submitted.output;
  EXPECT_NE(submitted.output.find("1 of 3 runs to train"), std::string::npos) << submitted.output;
  jobs = SubmittedJobs(submitted.output);
  ASSERT_EQ(jobs.size(), 3u) << submitted.output;
  ASSERT_TRUE(WaitForJobs(jobs, std::chrono::seconds(300)));
  EXPECT_EQ(LearnedByMethod(out), reference);
  EXPECT_NE(ReadFile(out / "slurm/runs.sbatch").find("'maze2d-umaze-v1,bcq,0'"), std::string::npos);
  EXPECT_NE(ReadFile(out / "slurm/runs.sbatch").find("#SBATCH --array=0-0\n"), std::string::npos);

  const double first_seconds = std::chrono::duration<double>(submitted_at - start).count();
  const double total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("cluster up, local reference and first sweep: %.1f s; all: %.1f s\n", first_seconds,
              total_seconds);
}

// Without a cluster: the errors a user meets before anything is submitted.
TEST(SlurmLauncherErrorsTest, NoSbatchOrAnUnwritableOutputIsAClearError) {
  std::vector<std::string> submit = {"/usr/bin/env", "PATH=/nonexistent"};
  submit.insert(submit.end(), kSuite.begin(), kSuite.end());
  submit.push_back("--launcher=slurm");
  submit.push_back(absl::StrCat("--out=", ::testing::TempDir(), "/no_sbatch"));
  CommandOutput refused = Execute(submit);
  EXPECT_FALSE(refused.finished.ok);
  EXPECT_NE(refused.output.find("--launcher=slurm needs Slurm's sbatch: no 'sbatch' on PATH "
                                "(/nonexistent)"),
            std::string::npos)
      << refused.output;

  std::vector<std::string> unwritable = kSuite;
  unwritable.insert(unwritable.end(), {"--launcher=slurm", "--dry_run", "--out=/proc/romi-out"});
  refused = Execute(unwritable);
  EXPECT_FALSE(refused.finished.ok);
  EXPECT_NE(refused.output.find("/proc/romi-out"), std::string::npos) << refused.output;

  std::vector<std::string> unknown = kSuite;
  unknown.push_back("--launcher=kubernetes");
  refused = Execute(unknown);
  EXPECT_FALSE(refused.finished.ok);
  EXPECT_NE(refused.output.find("--launcher: 'kubernetes' is neither local nor slurm"),
            std::string::npos)
      << refused.output;
}

}  // namespace
}  // namespace romi::eval
