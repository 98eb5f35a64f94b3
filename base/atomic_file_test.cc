#include "base/atomic_file.h"

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
