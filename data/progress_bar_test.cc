#include "data/progress_bar.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

using ::testing::HasSubstr;

TEST(ProgressBarTest, LineShowsFractionRateAndEta) {
  const std::string line = ProgressBar::Line("gen", 500, 1000, absl::Seconds(2));
  EXPECT_THAT(line, HasSubstr("gen [##########..........]"));
  EXPECT_THAT(line, HasSubstr("50.0%"));
  EXPECT_THAT(line, HasSubstr("500/1000"));
  EXPECT_THAT(line, HasSubstr("250/s"));
  EXPECT_THAT(line, HasSubstr("ETA 2s"));
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

}  // namespace
}  // namespace romi::data
