#include "base/progress_bar.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi {
namespace {

using ::testing::HasSubstr;

TEST(ProgressBarTest, LineShowsFractionRateAndEta) {
  const std::string line = ProgressBar::Line("gen", 500, 1000, absl::Seconds(2));
  EXPECT_THAT(line, HasSubstr("gen [##########..........]"));
  EXPECT_THAT(line, HasSubstr("50.0%"));
  EXPECT_THAT(line, HasSubstr("500/1000"));
  EXPECT_THAT(line, HasSubstr("250/s"));
  EXPECT_THAT(line, HasSubstr("ETA 2.0s"));
}

TEST(ProgressBarTest, FinishedLineShowsTheElapsedTime) {
  const std::string line = ProgressBar::Line("gen", 1000, 1000, absl::Seconds(4));
  EXPECT_THAT(line, HasSubstr("100.0%"));
  EXPECT_THAT(line, HasSubstr("4.0s"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("ETA")));
}

TEST(ProgressBarTest, WritesToItsStream) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("gen", 10, out);
    bar.Update(10);
  }
  std::rewind(out);
  char buffer[256] = {};
  const size_t size = std::fread(buffer, 1, sizeof(buffer) - 1, out);
  std::fclose(out);
  EXPECT_THAT(std::string(buffer, size), HasSubstr("10/10"));
}

TEST(ProgressBarTest, RateCountsFromWhereTheBarStarted) {
  // A run resumed at step 600 that reached 800 in 2 s: 100/s, 2 s to go.
  const std::string line = ProgressBar::Line("learner", 800, 1000, absl::Seconds(2), 600);
  EXPECT_THAT(line, HasSubstr("100/s"));
  EXPECT_THAT(line, HasSubstr("ETA 2.0s"));
}

TEST(ProgressBarTest, UnknownTotalShowsCountRateAndElapsedTime) {
  EXPECT_EQ(ProgressBar::Line("dynamics", 7, 0, absl::Seconds(125)), "dynamics 7  0.056/s  2m05s");
}

TEST(ProgressBarTest, DurationsReadAsAPersonWouldWriteThem) {
  EXPECT_EQ(ProgressBar::FormatDuration(absl::Seconds(3725)), "1h02m");
  EXPECT_EQ(ProgressBar::FormatDuration(absl::Seconds(65)), "1m05s");
  EXPECT_EQ(ProgressBar::FormatDuration(absl::Seconds(42)), "42s");
  EXPECT_EQ(ProgressBar::FormatDuration(absl::Milliseconds(2500)), "2.5s");
}

TEST(ProgressBarTest, OffATerminalWritesOneLinePerTenthOfTheWay) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("gen", 1000, out);
    for (int i = 1; i <= 1000; ++i) bar.Update(i);
  }
  std::rewind(out);
  std::string text;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), out)) > 0;) text.append(buffer, n);
  std::fclose(out);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11) << text;  // 0.1 .. 0.9, 1.0, and 0
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace romi
