#include "base/subprocess.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "gtest/gtest.h"

namespace romi {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(SubprocessTest, RunsAChildIntoItsLogAndReportsHowItEnded) {
  const std::string log = (std::filesystem::path(::testing::TempDir()) / "child.log").string();
  std::filesystem::remove(log);
  absl::StatusOr<pid_t> ok = StartProcess({"/bin/sh", "-c", "echo out; echo err >&2"}, log);
  ASSERT_TRUE(ok.ok()) << ok.status();
  absl::StatusOr<FinishedProcess> finished = WaitForAnyChild();
  ASSERT_TRUE(finished.ok()) << finished.status();
  EXPECT_EQ(finished->pid, *ok);
  EXPECT_TRUE(finished->ok);
  EXPECT_EQ(Read(log), "out\nerr\n");

  ASSERT_TRUE(StartProcess({"/bin/sh", "-c", "exit 3"}, log).ok());
  finished = WaitForAnyChild();
  ASSERT_TRUE(finished.ok());
  EXPECT_FALSE(finished->ok);
  EXPECT_EQ(finished->description, "exited with status 3");

  ASSERT_TRUE(StartProcess({"/bin/sh", "-c", "kill -9 $$"}, log).ok());
  finished = WaitForAnyChild();
  ASSERT_TRUE(finished.ok());
  EXPECT_FALSE(finished->ok);
  EXPECT_NE(finished->description.find("signal 9"), std::string::npos) << finished->description;

  ASSERT_TRUE(StartProcess({"/nonexistent/program"}, log).ok());
  finished = WaitForAnyChild();
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->description, "exited with status 127");
  EXPECT_EQ(WaitForAnyChild().status().code(), absl::StatusCode::kNotFound);
}

TEST(SubprocessTest, AnUnwritableLogIsAClearError) {
  const absl::StatusOr<pid_t> pid = StartProcess({"/bin/true"}, "/nonexistent-dir/child.log");
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(SubprocessTest, RunCommandCapturesOutputAndStatus) {
  absl::StatusOr<CommandOutput> done = RunCommand({"/bin/sh", "-c", "echo out; echo err >&2"});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(done->finished.ok);
  EXPECT_EQ(done->output, "out\nerr\n");
  done = RunCommand({"/bin/sh", "-c", "echo refused >&2; exit 1"});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->finished.ok);
  EXPECT_EQ(done->finished.description, "exited with status 1");
  EXPECT_EQ(done->output, "refused\n");
  done = RunCommand({"/nonexistent/program"});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->finished.description, "exited with status 127");
  EXPECT_NE(done->output.find("exec failed"), std::string::npos);
}

TEST(SubprocessTest, FindOnPathSearchesEveryDirectory) {
  const absl::StatusOr<std::string> sh = FindOnPath("sh");
  ASSERT_TRUE(sh.ok()) << sh.status();
  EXPECT_EQ(access(sh->c_str(), X_OK), 0);
  const absl::StatusOr<std::string> missing = FindOnPath("no-such-program-romi");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-program-romi"), absl::string_view::npos);
}

TEST(SubprocessTest, RunInForkedChildReturnsTheChildsStatus) {
  EXPECT_TRUE(RunInForkedChild(
                  "ok.h5", [] { return absl::OkStatus(); }, 60)
                  .ok());
  const absl::Status refused = RunInForkedChild(
      "bad.h5", [] { return absl::InvalidArgumentError("bad.h5: key 'actions' has shape [3]"); },
      60);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(), "bad.h5: key 'actions' has shape [3]");
  // What the child changes stays in the child.
  int touched = 0;
  EXPECT_TRUE(RunInForkedChild(
                  "x",
                  [&touched] {
                    touched = 1;
                    return absl::OkStatus();
                  },
                  60)
                  .ok());
  EXPECT_EQ(touched, 0);
  const absl::Status thrown = RunInForkedChild(
      "x", []() -> absl::Status { throw std::runtime_error("boom"); }, 60);
  EXPECT_EQ(thrown.code(), absl::StatusCode::kInternal);
  EXPECT_NE(thrown.message().find("boom"), std::string::npos) << thrown;
}

TEST(SubprocessTest, RunInForkedChildSurvivesACrashAndAHang) {
  const absl::Status crashed = RunInForkedChild(
      "/data/hostile.hdf5",
      []() -> absl::Status {
        raise(SIGSEGV);
        return absl::OkStatus();
      },
      60);
  EXPECT_EQ(crashed.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(crashed.message().find("/data/hostile.hdf5: reading it crashed"), std::string::npos)
      << crashed;
  EXPECT_NE(crashed.message().find("signal 11"), std::string::npos) << crashed;
  const absl::Status aborted = RunInForkedChild(
      "f", []() -> absl::Status { std::abort(); }, 60);
  EXPECT_EQ(aborted.code(), absl::StatusCode::kDataLoss);

  const auto start = std::chrono::steady_clock::now();
  const absl::Status hung = RunInForkedChild(
      "/data/slow.hdf5",
      []() -> absl::Status {
        for (;;) pause();
      },
      1);
  EXPECT_EQ(hung.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(hung.message().find("/data/slow.hdf5"), std::string::npos) << hung;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  // Every child was waited for.
  EXPECT_EQ(WaitForAnyChild().status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace romi
