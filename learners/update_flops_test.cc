// Known answers for the analytic FLOP counts.
#include "learners/update_flops.h"

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

TEST(UpdateFlopsTest, BcCountsForwardWeightAndInputGradients) {
  LearnerOptions options;
  options.obs_dim = 2;
  options.act_dim = 1;
  options.config.set_algorithm("bc");
  options.config.mutable_bc()->add_hidden(4);
  // 2 -> 4 -> 2 on 10 rows: the first layer forward + weight gradient (its input is data),
  // 2 * (2 * 10 * 2 * 4) = 320; the second forward + weight + input gradient, 3 * 160 = 480.
  EXPECT_EQ(*UpdateFlops(options, 10), 800.0);
}

TEST(UpdateFlopsTest, PaperSettingsAndUnknownLearners) {
  LearnerOptions options;
  options.obs_dim = 11;
  options.act_dim = 3;
  options.config.set_algorithm("bcq");
  // Dominated by the VAE: its decoder alone runs on 100 + 1000 + 100 rows per update.
  EXPECT_NEAR(*UpdateFlops(options, 100) / 1e9, 3.0, 0.1);
  options.config.set_algorithm("cql");
  // Dominated by the twin critics on 256 x 31 state-action pairs, forward and backward.
  EXPECT_NEAR(*UpdateFlops(options, 256) / 1e9, 13.5, 0.2);
  options.config.set_algorithm("sac2");
  EXPECT_EQ(UpdateFlops(options, 1).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace romi::learners
