#include "data/transitions.h"

#include "gtest/gtest.h"

namespace romi::data {
namespace {

Transitions Numbered(const torch::Tensor& terminals) {
  const int64_t rows = terminals.size(0);
  const torch::Tensor row = torch::arange(rows, torch::kFloat32);
  return {row.unsqueeze(1).repeat({1, 2}), -row.unsqueeze(1), row * 10, row.unsqueeze(1) + 0.5,
          terminals};
}

TEST(TransitionsTest, NonTerminalKeepsTheOtherRowsInOrder) {
  const Transitions table = Numbered(torch::tensor({0.f, 1.f, 0.f, 0.f, 1.f}));
  const Transitions kept = table.NonTerminal();
  ASSERT_EQ(kept.size(), 3);
  EXPECT_TRUE(torch::equal(kept.rewards, torch::tensor({0.f, 20.f, 30.f})));
  EXPECT_TRUE(torch::equal(kept.actions, torch::tensor({{-0.f}, {-2.f}, {-3.f}})));
  EXPECT_TRUE(torch::equal(kept.next_observations, torch::tensor({{0.5f}, {2.5f}, {3.5f}})));
  EXPECT_EQ(kept.observations.size(1), 2);
  EXPECT_EQ(kept.terminals.sum().item<float>(), 0.f);
}

TEST(TransitionsTest, NonTerminalOfATableWithoutTerminalsIsTheTableItself) {
  const Transitions table = Numbered(torch::zeros({4}));
  const Transitions kept = table.NonTerminal();
  // The same storage: no copy of a million-row dataset that has nothing to drop.
  EXPECT_TRUE(kept.observations.is_same(table.observations));
  EXPECT_TRUE(kept.terminals.is_same(table.terminals));
}

}  // namespace
}  // namespace romi::data
