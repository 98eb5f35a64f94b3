#include "base/atomic_file.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string TestPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(AtomicFileTest, WritesAndReplacesContents) {
  const std::string path = TestPath("nested/dir/file.txt");
  ASSERT_TRUE(WriteStringAtomically(path, "first").ok());
  EXPECT_EQ(ReadAll(path), "first");
  ASSERT_TRUE(WriteStringAtomically(path, "second").ok());
  EXPECT_EQ(ReadAll(path), "second");
}

TEST(AtomicFileTest, FailedWriteLeavesOldFileAndNoTemporary) {
  const std::string path = TestPath("keep.txt");
  ASSERT_TRUE(WriteStringAtomically(path, "old").ok());
  std::string temporary_seen;
  const absl::Status status = WriteFileAtomically(path, [&](const std::string& temporary) {
    temporary_seen = temporary;
    std::ofstream(temporary) << "half-writ";
    return absl::DataLossError("disk full");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_FALSE(std::filesystem::exists(temporary_seen));
}

// A full disk, made real with a file-size limit (RLIMIT_FSIZE: writes past it fail with EFBIG,
// as they fail with ENOSPC on a full disk) in a child process, so that this process keeps writing.
TEST(AtomicFileTest, AFullDiskIsResourceExhaustedAndLeavesTheOldFile) {
  const std::string path = TestPath("full_disk.txt");
  ASSERT_TRUE(WriteStringAtomically(path, "old").ok());
  const pid_t child = fork();
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the writer instead of failing the write
    const rlimit limit = {16, 16};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    const absl::Status status = WriteStringAtomically(path, std::string(1000, 'x'));
    const bool named = status.message().find(path) != absl::string_view::npos;
    _exit(status.code() == absl::StatusCode::kResourceExhausted && named ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "the write did not fail as ResourceExhausted naming the file";
  EXPECT_EQ(ReadAll(path), "old");
  for (const auto& entry : std::filesystem::directory_iterator(TestPath(""))) {
    EXPECT_EQ(entry.path().string().find("full_disk.txt.tmp"), std::string::npos) << entry.path();
  }
}

TEST(AtomicFileTest, RemovesStaleTemporariesOnly) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "stale";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  for (const char* name : {"learner.pt", "learner.pt.tmp-123", "curve.textproto.tmp-9",
                           "sub/model.pt.tmp-77", "sub/model.pt"}) {
    std::ofstream(dir / name) << "x";
  }
  EXPECT_EQ(RemoveStaleTemporaries(dir.string(), /*recursive=*/false, "learner.pt"), 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "curve.textproto.tmp-9"));
  EXPECT_EQ(RemoveStaleTemporaries(dir.string(), /*recursive=*/false), 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "sub/model.pt.tmp-77"));
  EXPECT_EQ(RemoveStaleTemporaries(dir.string(), /*recursive=*/true), 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "learner.pt"));
  EXPECT_TRUE(std::filesystem::exists(dir / "sub/model.pt"));
  EXPECT_FALSE(std::filesystem::exists(dir / "sub/model.pt.tmp-77"));
  EXPECT_EQ(RemoveStaleTemporaries((dir / "missing").string(), /*recursive=*/true), 0);
}

TEST(WriteAllTest, WritesEverythingOrReturnsTheError) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string text(1000, 'x');
  EXPECT_EQ(WriteAll(fds[1], text.data(), text.size()), 0);
  std::string read_back(text.size(), '\0');
  ASSERT_EQ(read(fds[0], read_back.data(), read_back.size()),
            static_cast<ssize_t>(read_back.size()));
  EXPECT_EQ(read_back, text);
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(WriteAll(fds[1], text.data(), text.size()), EBADF);  // closed
}

TEST(CreateDirectoriesTest, CreatesParentsAndNamesWhatItCannotCreate) {
  const std::string dir = TestPath("made/of/parts");
  ASSERT_TRUE(CreateDirectories(dir).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_TRUE(CreateDirectories(dir).ok());  // already there
  const std::string file = TestPath("a_file");
  ASSERT_TRUE(WriteStringAtomically(file, "x").ok());
  const absl::Status status = CreateDirectories(file + "/below");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_NE(status.message().find(file + "/below"), absl::string_view::npos) << status;
}

}  // namespace
}  // namespace romi
