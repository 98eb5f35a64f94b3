#include "base/file_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

// flock locks belong to open file descriptions, so a second open in the same process contends
// like another process would.
TEST(FileLockTest, ASecondHolderIsRefusedUntilTheFirstReleases) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "run.lock").string();
  absl::StatusOr<std::unique_ptr<FileLock>> first = FileLock::TryAcquire(path);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<FileLock>> second = FileLock::TryAcquire(path);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(path), absl::string_view::npos);
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_NE(second.status().message().find(absl::StrCat("(pid ", getpid(), " on ", host, ")")),
            absl::string_view::npos)
      << second.status();
  first->reset();
  EXPECT_TRUE(FileLock::TryAcquire(path).ok());
}

TEST(FileLockTest, ALockDiesWithItsProcess) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "dead.lock").string();
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<FileLock>> lock = FileLock::TryAcquire(path);
    _exit(lock.ok() ? 0 : 1);  // exits holding the lock
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(FileLock::TryAcquire(path).ok());
}

TEST(FileLockTest, AcquireWaitsUntilTheHolderReleases) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "wait.lock").string();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<FileLock>> lock = FileLock::TryAcquire(path);
    const char byte = lock.ok() ? 1 : 0;
    (void)!write(ready[1], &byte, 1);
    usleep(300 * 1000);
    _exit(0);  // the lock goes with the process
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 1);
  EXPECT_EQ(FileLock::TryAcquire(path).status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::unique_ptr<FileLock>> waited = FileLock::Acquire(path);
  EXPECT_TRUE(waited.ok()) << waited.status();
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(ready[0]);
  close(ready[1]);
}

TEST(FileLockTest, AnUnopenableFileIsAClearError) {
  const absl::StatusOr<std::unique_ptr<FileLock>> lock =
      FileLock::TryAcquire("/nonexistent-dir/run.lock");
  EXPECT_EQ(lock.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(lock.status().message().find("/nonexistent-dir/run.lock"), absl::string_view::npos);
}

}  // namespace
}  // namespace romi
