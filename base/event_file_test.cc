#include "base/event_file.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "base/test_dirs.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value (RFC 3720)
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(EventFileTest, WritesScalarsThatReadBackWithEveryCrcChecked) {
  const std::string dir = FreshTestDir("events_round_trip");
  absl::StatusOr<EventFile> file = EventFile::Open(dir);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(fs::path(file->path()).filename().string().rfind("events.out.tfevents.", 0), 0u);
  ASSERT_TRUE(file->AddScalar("eval/score", 5000, 41.5).ok());
  ASSERT_TRUE(file->AddScalar("learner/critic_loss", 5000, 0.25).ok());
  ASSERT_TRUE(file->AddScalar("eval/score", 10000, -3.0).ok());
  const std::vector<ScalarEvent> events = ReadEventFile(file->path()).value();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].tag, "eval/score");
  EXPECT_EQ(events[0].step, 5000);
  EXPECT_FLOAT_EQ(events[0].value, 41.5f);
  EXPECT_GT(events[0].wall_time, 1.5e9);
  EXPECT_EQ(events[1].tag, "learner/critic_loss");
  EXPECT_FLOAT_EQ(events[2].value, -3.0f);
}

TEST(EventFileTest, AppendsAcrossResumesWithoutDuplicatingSteps) {
  const std::string dir = FreshTestDir("events_resume");
  {
    EventFile file = EventFile::Open(dir).value();
    ASSERT_TRUE(file.AddScalar("eval/score", 1, 1.0).ok());
    ASSERT_TRUE(file.AddScalar("eval/score", 2, 2.0).ok());
  }
  // A resumed run redoes step 2, then goes on.
  EventFile again = EventFile::Open(dir).value();
  ASSERT_TRUE(again.AddScalar("eval/score", 2, 2.0).ok());
  ASSERT_TRUE(again.AddScalar("eval/score", 3, 3.0).ok());
  const std::vector<ScalarEvent> events = ReadEventFile(again.path()).value();
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(events[i].step, i + 1);
}

TEST(EventFileTest, CutsATornLastRecordAndRejectsACorruptOne) {
  const std::string dir = FreshTestDir("events_torn");
  std::string path;
  {
    EventFile file = EventFile::Open(dir).value();
    path = file.path();
    ASSERT_TRUE(file.AddScalar("a", 1, 1.0).ok());
    ASSERT_TRUE(file.AddScalar("a", 2, 2.0).ok());
  }
  const auto full = fs::file_size(path);
  fs::resize_file(path, full - 5);  // a kill in the middle of the last write
  EXPECT_EQ(ReadEventFile(path).status().code(), absl::StatusCode::kDataLoss);
  EventFile reopened = EventFile::Open(dir).value();
  ASSERT_TRUE(reopened.AddScalar("a", 2, 2.0).ok());  // written again: the torn one was cut off
  const std::vector<ScalarEvent> events = ReadEventFile(path).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].step, 2);

  // A flipped byte inside a record's data is a bad CRC, named with its offset.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) - 8));
    f.put('\x7f');
  }
  const absl::Status bad = ReadEventFile(path).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad.message().find("bad CRC"), std::string::npos) << bad;
  EXPECT_EQ(EventFile::Open(dir).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace romi
