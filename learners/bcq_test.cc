// BCQ's target against hand-computed values.
#include "learners/bcq.h"

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

TEST(BcqTargetTest, SoftClippedDoubleQMaximizedOverCandidates) {
  // Two next states, two candidates each (state-major rows).
  const torch::Tensor twin_q = torch::tensor({{1.0f, 3.0f, 0.0f, -2.0f},    // Q1'
                                              {2.0f, 1.0f, 4.0f, -1.0f}});  // Q2'
  const torch::Tensor rewards = torch::tensor({0.5f, -1.0f});
  const torch::Tensor terminals = torch::tensor({0.0f, 1.0f});
  // State 0: candidates 0.75 * 1 + 0.25 * 2 = 1.25 and 0.75 * 1 + 0.25 * 3 = 1.5 -> 1.5;
  // target 0.5 + 0.9 * 1.5 = 1.85. State 1 is terminal: target -1.
  const torch::Tensor target = BcqTarget(twin_q, rewards, terminals, 0.9, 0.75);
  EXPECT_TRUE(torch::allclose(target, torch::tensor({1.85f, -1.0f})));
  // lambda = 1 is clipped double Q: state 0 -> max(min(1, 2), min(3, 1)) = 1.
  EXPECT_NEAR(BcqTarget(twin_q.unsqueeze(-1), rewards, terminals, 0.9, 1.0)[0].item<float>(),
              0.5 + 0.9 * 1.0, 1e-6);
  // State 1 not terminal: candidates 0.75 * 0 + 0.25 * 4 = 1 and -1.75 -> 1.
  EXPECT_NEAR(BcqTarget(twin_q, rewards, torch::zeros({2}), 0.9, 0.75)[1].item<float>(),
              -1.0 + 0.9 * 1.0, 1e-6);
}

}  // namespace
}  // namespace romi::learners
