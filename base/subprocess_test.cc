#include "base/subprocess.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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

}  // namespace
}  // namespace romi
