#include "base/stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace romi {
namespace {

TEST(PopulationMeanStdTest, DividesByTheCountNotTheCountMinusOne) {
  const std::vector<double> values = {2, 4, 4, 4, 5, 5, 7, 9};
  const MeanStd stats = PopulationMeanStd(values);
  EXPECT_DOUBLE_EQ(stats.mean, 5);
  EXPECT_DOUBLE_EQ(stats.std, 2);  // the sample std would be 2.138
}

TEST(PopulationMeanStdTest, OneValueHasNoSpreadAndNoneGivesZeros) {
  EXPECT_DOUBLE_EQ(PopulationMeanStd(std::vector<double>{3.5}).mean, 3.5);
  EXPECT_DOUBLE_EQ(PopulationMeanStd(std::vector<double>{3.5}).std, 0);
  EXPECT_DOUBLE_EQ(PopulationMeanStd({}).mean, 0);
  EXPECT_DOUBLE_EQ(PopulationMeanStd({}).std, 0);
}

}  // namespace
}  // namespace romi
