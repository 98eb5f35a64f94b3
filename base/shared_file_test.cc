#include "base/shared_file.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/test_dirs.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return absl::OkStatus();
}

TEST(SharedFileTest, TheFirstConsumerMakesItAndTheOthersLinkIt) {
  const std::string dir = FreshTestDir("first_makes");
  const SharedFile shared{dir + "/shared", "model", "data 1|seed 7"};
  int makes = 0;
  const auto make = [&makes](const std::string& path, const std::string& work_dir) {
    ++makes;
    EXPECT_EQ(fs::path(path).parent_path(), fs::path(work_dir));
    return WriteText(path, "weights");
  };
  absl::StatusOr<SharedFileSource> first = ProvideSharedFile(shared, dir + "/a/model.pt", make);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, SharedFileSource::kMadeNow);
  absl::StatusOr<SharedFileSource> second = ProvideSharedFile(shared, dir + "/b/model.pt", make);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, SharedFileSource::kReused);
  EXPECT_EQ(makes, 1);
  EXPECT_EQ(Read(dir + "/a/model.pt"), "weights");
  EXPECT_EQ(Read(dir + "/b/model.pt"), "weights");
  // Linked, not copied: one file on disk.
  EXPECT_TRUE(fs::equivalent(dir + "/a/model.pt", dir + "/b/model.pt"));
  EXPECT_EQ(Read(SharedFileEntry(shared) + "/identity.txt"), "data 1|seed 7");
}

TEST(SharedFileTest, AnotherIdentityMakesItsOwnFile) {
  const std::string dir = FreshTestDir("other_identity");
  int makes = 0;
  const auto make = [&makes](const std::string& path, const std::string&) {
    return WriteText(path, absl::StrCat("weights ", ++makes));
  };
  ASSERT_TRUE(ProvideSharedFile({dir, "model", "seed 1"}, dir + "/a.pt", make).ok());
  ASSERT_TRUE(ProvideSharedFile({dir, "model", "seed 2"}, dir + "/b.pt", make).ok());
  EXPECT_EQ(makes, 2);
  EXPECT_EQ(Read(dir + "/a.pt"), "weights 1");
  EXPECT_EQ(Read(dir + "/b.pt"), "weights 2");
  EXPECT_NE(SharedFileEntry({dir, "model", "seed 1"}), SharedFileEntry({dir, "model", "seed 2"}));
}

TEST(SharedFileTest, AnEntryHoldingAnotherIdentityIsAnErrorNamingIt) {
  const std::string dir = FreshTestDir("collision");
  const SharedFile shared{dir, "model", "seed 1"};
  ASSERT_TRUE(
      ProvideSharedFile(shared, dir + "/a.pt", [](const std::string& path, const std::string&) {
        return WriteText(path, "weights");
      }).ok());
  // What a hash collision would look like: the entry's recorded identity is not ours.
  std::ofstream(SharedFileEntry(shared) + "/identity.txt") << "seed 99";
  const absl::StatusOr<SharedFileSource> reused =
      ProvideSharedFile(shared, dir + "/b.pt", [](const std::string&, const std::string&) {
        ADD_FAILURE() << "must not make";
        return absl::OkStatus();
      });
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(reused.status().message().find(SharedFileEntry(shared)), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/b.pt"));
}

TEST(SharedFileTest, AFailedMakeLeavesNothingAndTheNextConsumerMakesItAgain) {
  const std::string dir = FreshTestDir("failed_make");
  const SharedFile shared{dir, "model", "seed 1"};
  const absl::StatusOr<SharedFileSource> failed = ProvideSharedFile(
      shared, dir + "/a.pt",
      [](const std::string&, const std::string&) { return absl::CancelledError("killed midway"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(fs::exists(dir + "/a.pt"));
  const absl::StatusOr<SharedFileSource> second = ProvideSharedFile(
      shared, dir + "/b.pt",
      [](const std::string& path, const std::string&) { return WriteText(path, "weights"); });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, SharedFileSource::kMadeNow);
  EXPECT_EQ(Read(dir + "/b.pt"), "weights");
}

// Two processes asking at once: one makes the file while the other waits, then links it.
TEST(SharedFileTest, ConcurrentConsumersMakeItOnce) {
  const std::string dir = FreshTestDir("concurrent");
  const SharedFile shared{dir + "/shared", "model", "seed 1"};
  const std::string makes = dir + "/makes.txt";
  const auto make = [&makes](const std::string& path, const std::string&) {
    std::ofstream(makes, std::ios::app) << getpid() << "\n";
    usleep(200 * 1000);  // long enough for the other process to reach the lock
    return WriteText(path, "weights");
  };
  const pid_t child = fork();
  if (child == 0) {
    _exit(ProvideSharedFile(shared, dir + "/child.pt", make).ok() ? 0 : 1);
  }
  ASSERT_TRUE(ProvideSharedFile(shared, dir + "/parent.pt", make).ok());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::istringstream lines(Read(makes));
  int count = 0;
  for (std::string line; std::getline(lines, line);) ++count;
  EXPECT_EQ(count, 1);
  EXPECT_EQ(Read(dir + "/child.pt"), "weights");
  EXPECT_EQ(Read(dir + "/parent.pt"), "weights");
}

TEST(SharedFileTest, StableHashIsFnv1a) {
  // Known FNV-1a 64 values: the entry names must not change between builds.
  EXPECT_EQ(StableHash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(StableHash("foobar"), 0x85944171f73967e8ull);
}

}  // namespace
}  // namespace romi
