// The formulas are frozen (see seeds.h): these values were computed from the formulas as they
// stood before they moved here, so a change to any of them fails this test.
#include "base/seeds.h"

#include "gtest/gtest.h"

namespace romi::seeds {
namespace {

TEST(SeedsTest, FormulasKeepTheirValues) {
  EXPECT_EQ(Stream(0, 1), 0x44e5b98100c67fb0ULL);
  EXPECT_EQ(Stream(5, 4, 2000), 0x760b9674ef9e424dULL);
  EXPECT_EQ(EvaluationEpisode(3, 7), 0xb0643a4e15e67e01ULL);
  EXPECT_EQ(Sibling(0), kGoldenGamma);
  EXPECT_EQ(RunEvaluation(2), 102u);
  EXPECT_EQ(OnlineTrainingEpisode(2, 5), 2000011u);
  EXPECT_EQ(OnlineEvaluationEpisode(2, 5), 502000011u);
  EXPECT_EQ(OnlineSampler(2, 10), 2u * 7919 + 10u * 104729 + 3);
}

TEST(SeedsTest, StreamsOfOneSeedDiffer) {
  EXPECT_NE(Stream(0, 1), Stream(0, 2));
  EXPECT_NE(Stream(0, 1), Stream(1, 1));
  EXPECT_NE(Stream(0, 4, 0), Stream(0, 4, 1));
  EXPECT_NE(EvaluationEpisode(0, 0), EvaluationEpisode(0, 1));
}

}  // namespace
}  // namespace romi::seeds
