// The CQL(H) penalty against hand-computed values.
#include "learners/cql.h"

#include <cmath>

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

double LogSumExp(std::initializer_list<double> values) {
  double sum = 0;
  for (double v : values) sum += std::exp(v);
  return std::log(sum);
}

TEST(CqlPenaltyTest, MatchesHandComputedImportanceSampledLogSumExp) {
  // Two critics, two states, one action per proposal; actions in [-1, 1]^2: uniform density 1/4.
  CqlPenaltyInputs in;
  in.q_data = torch::tensor({{2.0f, 0.0f}, {1.0f, -1.0f}});
  in.q_random = torch::tensor({{{1.0f}, {0.0f}}, {{0.5f}, {2.0f}}});
  in.q_policy = torch::tensor({{{3.0f}, {1.0f}}, {{0.0f}, {0.0f}}});
  in.q_next_policy = torch::tensor({{{0.5f}, {-1.0f}}, {{1.0f}, {1.0f}}});
  in.log_pi = torch::tensor({{-1.0f}, {0.0f}});
  in.log_pi_next = torch::tensor({{0.5f}, {2.0f}});
  in.random_log_density = 2 * std::log(0.25 / 0.5);  // = -2 log 2
  const double d = -in.random_log_density;           // added to every uniform proposal's Q
  for (double t : {1.0, 2.0}) {
    in.temperature = t;
    // Critic 0: state 0 proposals {1 + d, 0.5 - 0.5, 3 + 1}; state 1 {0 + d, -1 - 2, 1 - 0}.
    const double critic0 =
        t * 0.5 *
            (LogSumExp({(1 + d) / t, 0.0 / t, 4.0 / t}) + LogSumExp({d / t, -3.0 / t, 1.0 / t})) -
        0.5 * (2.0 + 0.0);
    // Critic 1: state 0 {0.5 + d, 1 - 0.5, 0 + 1}; state 1 {2 + d, 1 - 2, 0 - 0}.
    const double critic1 = t * 0.5 *
                               (LogSumExp({(0.5 + d) / t, 0.5 / t, 1.0 / t}) +
                                LogSumExp({(2 + d) / t, -1.0 / t, 0.0 / t})) -
                           0.5 * (1.0 - 1.0);
    const torch::Tensor penalty = CqlPenalty(in);
    ASSERT_EQ(penalty.sizes(), (std::vector<int64_t>{2}));
    EXPECT_NEAR(penalty[0].item<double>(), critic0, 1e-5) << "temperature " << t;
    EXPECT_NEAR(penalty[1].item<double>(), critic1, 1e-5) << "temperature " << t;
  }
}

}  // namespace
}  // namespace romi::learners
