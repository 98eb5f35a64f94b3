#include "eval/model_fidelity.h"

#include <random>
#include <string>
#include <vector>

#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::eval {
namespace {

// `rows` real transitions of `task` under a seeded random policy, episodes restarted as needed.
data::Transitions RealTransitions(const std::string& task, int rows) {
  std::unique_ptr<envs::Env> env = envs::MakeEnv(task).value();
  const envs::EnvSpec& spec = env->Spec();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<float> s, a, r, next;
  std::vector<double> obs = env->Reset(1);
  for (int i = 0; i < rows; ++i) {
    std::vector<double> action(spec.act_dim);
    for (double& x : action) x = uniform(rng);
    const envs::StepResult step = env->Step(action).value();
    s.insert(s.end(), obs.begin(), obs.end());
    a.insert(a.end(), action.begin(), action.end());
    r.push_back(step.reward);
    next.insert(next.end(), step.observation.begin(), step.observation.end());
    obs = step.terminated || step.truncated ? env->Reset(100 + i) : step.observation;
  }
  auto table = [rows](std::vector<float>& v, int64_t width) {
    return torch::from_blob(v.data(), {rows, width}, torch::kFloat).clone();
  };
  data::Transitions t;
  t.observations = table(s, spec.obs_dim);
  t.actions = table(a, spec.act_dim);
  t.rewards = table(r, 1).squeeze(1);
  t.next_observations = table(next, spec.obs_dim);
  t.terminals = torch::zeros({rows});
  return t;
}

TEST(ModelFidelityTest, RealTransitionsReplayExactlyAndErrorsShow) {
  for (const std::string task : {"maze2d-umaze-v1", "hopper-random-v2"}) {
    const data::Transitions real = RealTransitions(task, 300);
    absl::StatusOr<ModelDataFidelity> exact = ReplayInSimulator(task, real);
    ASSERT_TRUE(exact.ok()) << exact.status();
    EXPECT_EQ(exact->rows() + exact->failed(), 300) << task;
    EXPECT_GE(exact->rows(), 290) << task;  // hopper rows at the velocity clip may not replay
    // float32 storage is the only error source.
    EXPECT_LT(exact->relative_error(), 1e-6) << task;
    EXPECT_LT(exact->reward_mae(), 1e-4) << task;
    EXPECT_NEAR(exact->table_reward_mean(), exact->simulator_reward_mean(), 1e-4) << task;

    // A known error in every next state: 0.1 in each dimension.
    data::Transitions wrong = real;
    wrong.next_observations = real.next_observations + 0.1;
    const ModelDataFidelity off = ReplayInSimulator(task, wrong).value();
    EXPECT_NEAR(off.next_state_mse(), 0.01, 1e-3) << task;
    EXPECT_GT(off.relative_error(), 100 * exact->relative_error()) << task;

    // A sample of rows.
    const ModelDataFidelity sample =
        ReplayInSimulator(task, real.Select(FidelityRows(real.size(), 50, 3))).value();
    EXPECT_EQ(sample.rows() + sample.failed(), 50);
  }
}

TEST(ModelFidelityTest, RejectsATableOfAnotherTask) {
  const data::Transitions maze = RealTransitions("maze2d-umaze-v1", 10);
  const absl::StatusOr<ModelDataFidelity> result = ReplayInSimulator("hopper-random-v2", maze);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("hopper-random-v2"), std::string::npos);
}

}  // namespace
}  // namespace romi::eval
