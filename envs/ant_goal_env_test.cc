#include "envs/ant_goal_env.h"

#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "envs/registry.h"
#include "envs/termination.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

std::unique_ptr<AntGoalEnv> MakeGoalEnv() {
  absl::StatusOr<EnvSpec> spec = FindSpec(kAntGoalReachingTask);
  EXPECT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<std::unique_ptr<AntGoalEnv>> env = AntGoalEnv::Create(*spec);
  EXPECT_TRUE(env.ok()) << env.status();
  return std::move(env).value();
}

TEST(GoalReachingObservationTest, DropsTheTorsoXyAndRescalesTheTargetDirection) {
  std::vector<double> qpos(15), qvel(14);
  for (int i = 0; i < 15; ++i) qpos[i] = 100 + i;
  for (int i = 0; i < 14; ++i) qvel[i] = 200 + i;
  const std::vector<double> obs = GoalReachingObservation(qpos, qvel, {100 + 3.0, 101 - 4.0});
  ASSERT_EQ(obs.size(), 29u);
  EXPECT_EQ(obs[0], 102);  // qpos[2], the torso's height
  EXPECT_EQ(obs[12], 114);
  EXPECT_EQ(obs[13], 200);
  EXPECT_EQ(obs[26], 213);
  EXPECT_DOUBLE_EQ(obs[27], 6.0);  // (3, -4) at length 10
  EXPECT_DOUBLE_EQ(obs[28], -8.0);
  const std::vector<double> at_target = GoalReachingObservation(qpos, qvel, {100, 101});
  EXPECT_EQ(at_target[27], 0.0);
  EXPECT_EQ(at_target[28], 0.0);
}

TEST(AntGoalEnvTest, SpecAndResetDrawTargetsInTheWaypointRange) {
  auto env = MakeGoalEnv();
  EXPECT_EQ(env->Spec().obs_dim, 29);
  EXPECT_EQ(env->Spec().act_dim, 8);
  EXPECT_EQ(env->Spec().termination.name, "ant-upright");
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<double> obs = env->Reset(seed);
    ASSERT_EQ(obs.size(), 29u);
    const std::array<double, 2> target = env->target();
    const double d = std::hypot(target[0] - env->qpos()[0], target[1] - env->qpos()[1]);
    EXPECT_GE(d, AntGoalEnv::kMinTargetDistance - 1e-9);
    EXPECT_LE(d, AntGoalEnv::kMaxTargetDistance + 1e-9);
    EXPECT_NEAR(std::hypot(obs[27], obs[28]), AntGoalEnv::kTargetNorm, 1e-9);
    EXPECT_NEAR(obs[0], 0.75, 0.1 + 1e-9);  // upright, with the reset noise
  }
}

TEST(AntGoalEnvTest, DeterministicForASeed) {
  auto a = MakeGoalEnv();
  auto b = MakeGoalEnv();
  EXPECT_EQ(a->Reset(7), b->Reset(7));
  for (int t = 0; t < 50; ++t) {
    std::vector<double> action(8);
    for (int k = 0; k < 8; ++k) action[k] = std::sin(0.3 * t + k);
    const absl::StatusOr<StepResult> ra = a->Step(action);
    const absl::StatusOr<StepResult> rb = b->Step(action);
    ASSERT_TRUE(ra.ok() && rb.ok());
    EXPECT_EQ(ra->observation, rb->observation);
    EXPECT_EQ(ra->reward, rb->reward);
  }
  EXPECT_NE(a->Reset(7), a->Reset(8));
}

TEST(AntGoalEnvTest, StandingStillEarnsTheUprightBonusAndNoProgress) {
  auto env = MakeGoalEnv();
  env->Reset(3);
  double total = 0;
  for (int t = 0; t < 20; ++t) {
    const absl::StatusOr<StepResult> r = env->Step(std::vector<double>(8, 0.0));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->terminated);
    total += r->reward;
  }
  // The ant settles from its noisy start: it barely moves, so progress averages ~0.
  EXPECT_NEAR(total / 20, 1.0, 0.3);
}

TEST(AntGoalEnvTest, TheUprightRuleEndsAnEpisodeOnItsBack) {
  const TerminationFn& rule = AntUprightTermination();
  std::vector<double> obs(29, 0.0), action(8, 0.0);
  obs[0] = 0.75;
  EXPECT_FALSE(*IsTerminal(rule, obs, action, obs));
  obs[0] = 0.1;
  EXPECT_TRUE(*IsTerminal(rule, obs, action, obs));
  obs[0] = 1.2;
  EXPECT_TRUE(*IsTerminal(rule, obs, action, obs));
  obs[0] = std::nan("");
  EXPECT_TRUE(*IsTerminal(rule, obs, action, obs));
}

TEST(AntGoalEnvTest, AnObservationDoesNotDetermineAState) {
  auto env = MakeGoalEnv();
  EXPECT_EQ(env->SetStateFromObservation(std::vector<double>(29, 0.0)).code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace romi::envs
