#include "envs/locomotion_env.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "envs/mujoco_model.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

std::unique_ptr<LocomotionEnv> MakeLocomotion(const std::string& task) {
  absl::StatusOr<std::unique_ptr<Env>> env = MakeEnv(task);
  EXPECT_TRUE(env.ok()) << env.status();
  auto* locomotion = dynamic_cast<LocomotionEnv*>(env->get());
  EXPECT_NE(locomotion, nullptr);
  env->release();
  return std::unique_ptr<LocomotionEnv>(locomotion);
}

StepResult StepOk(LocomotionEnv& env, const std::vector<double>& action) {
  absl::StatusOr<StepResult> result = env.Step(action);
  EXPECT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(CheckNoWarnings(env.data()).ok()) << CheckNoWarnings(env.data());
  return *result;
}

double BodyMass(const mjModel& m, const char* body) {
  const int id = mj_name2id(&m, mjOBJ_BODY, body);
  EXPECT_GE(id, 0) << body;
  return id >= 0 ? m.body_mass[id] : 0.0;
}

TEST(LegacyMassTest, Hopper) {
  auto env = MakeLocomotion("hopper-medium-v2");
  const mjModel& m = env->model();
  EXPECT_NEAR(BodyMass(m, "torso"), 3.534292, 1e-6);
  EXPECT_NEAR(BodyMass(m, "thigh"), 3.926991, 1e-6);
  EXPECT_NEAR(BodyMass(m, "leg"), 2.714336, 1e-6);
  EXPECT_NEAR(BodyMass(m, "foot"), 5.089380, 1e-6);
  // The torso's legacy inertia: a cylinder r 0.05, length 0.45, about its centre.
  const int torso = mj_name2id(&m, mjOBJ_BODY, "torso");
  std::vector<double> inertia(m.body_inertia + 3 * torso, m.body_inertia + 3 * torso + 3);
  std::sort(inertia.begin(), inertia.end());
  EXPECT_NEAR(inertia[0], 3.534292 * 0.0025 / 2, 1e-6);
  EXPECT_NEAR(inertia[2], 3.534292 * (3 * 0.0025 + 0.45 * 0.45) / 12, 1e-6);
}

TEST(LegacyMassTest, Walker2d) {
  auto env = MakeLocomotion("walker2d-medium-v2");
  const mjModel& m = env->model();
  for (const char* side : {"", "_left"}) {
    EXPECT_NEAR(BodyMass(m, ("thigh" + std::string(side)).c_str()), 3.926991, 1e-6);
    EXPECT_NEAR(BodyMass(m, ("leg" + std::string(side)).c_str()), 2.714336, 1e-6);
    EXPECT_NEAR(BodyMass(m, ("foot" + std::string(side)).c_str()), 2.940531, 1e-6);
  }
  EXPECT_NEAR(BodyMass(m, "torso"), 3.534292, 1e-6);
}

TEST(LegacyMassTest, HalfCheetah) {
  auto env = MakeLocomotion("halfcheetah-medium-v2");
  const mjModel& m = env->model();
  EXPECT_NEAR(BodyMass(m, "torso"), 6.360313, 1e-6);
  EXPECT_NEAR(BodyMass(m, "bthigh"), 1.535248, 1e-6);
  EXPECT_NEAR(BodyMass(m, "bshin"), 1.580940, 1e-6);
  EXPECT_NEAR(BodyMass(m, "bfoot"), 1.069191, 1e-6);
  EXPECT_NEAR(BodyMass(m, "fthigh"), 1.425587, 1e-6);
  EXPECT_NEAR(BodyMass(m, "fshin"), 1.178851, 1e-6);
  EXPECT_NEAR(BodyMass(m, "ffoot"), 0.849869, 1e-6);
}

TEST(LocomotionEnvTest, SimulationConstants) {
  for (const auto& [task, timestep, integrator] :
       {std::tuple{"hopper-random-v2", 0.002, int(mjINT_RK4)},
        std::tuple{"walker2d-random-v2", 0.002, int(mjINT_RK4)},
        std::tuple{"halfcheetah-random-v2", 0.01, int(mjINT_EULER)}}) {
    auto env = MakeLocomotion(task);
    EXPECT_EQ(env->model().opt.timestep, timestep) << task;
    EXPECT_EQ(env->model().opt.integrator, integrator) << task;
  }
}

TEST(HalfCheetahTest, RewardIsForwardVelocityMinusControlCost) {
  auto env = MakeLocomotion("halfcheetah-expert-v2");
  env->Reset(11);
  const std::vector<double> action = {0.5, -0.5, 0.25, 0.0, 1.0, -1.0};  // sum a^2 = 2.5625.
  for (int t = 0; t < 20; ++t) {
    const double x_before = env->qpos()[0];
    const StepResult result = StepOk(*env, action);
    const double dx = env->qpos()[0] - x_before;
    EXPECT_NEAR(result.reward, dx / 0.05 - 0.1 * 2.5625, 1e-12);
    EXPECT_FALSE(result.terminated);
  }
}

TEST(HalfCheetahTest, ControlCostUsesTheRawActionWhileMujocoClampsTheControl) {
  auto a = MakeLocomotion("halfcheetah-random-v2");
  auto b = MakeLocomotion("halfcheetah-random-v2");
  a->Reset(5);
  b->Reset(5);
  const StepResult clamped = StepOk(*a, {2.0, 0, 0, 0, 0, 0});
  const StepResult in_range = StepOk(*b, {1.0, 0, 0, 0, 0, 0});
  EXPECT_EQ(clamped.observation, in_range.observation);
  EXPECT_NEAR(in_range.reward - clamped.reward, 0.1 * (4.0 - 1.0), 1e-12);
}

TEST(HalfCheetahTest, ResetNoiseScale) {
  auto env = MakeLocomotion("halfcheetah-random-v2");
  for (uint64_t seed = 0; seed < 50; ++seed) {
    env->Reset(seed);
    for (double q : env->qpos()) EXPECT_LE(std::abs(q), 0.1);
    for (double v : env->qvel()) EXPECT_LE(std::abs(v), 0.6);  // 0.1 * N(0, 1) within 6 sigma.
  }
}

TEST(HopperTest, ObservationLayoutAndResetNoise) {
  auto env = MakeLocomotion("hopper-random-v2");
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::vector<double> obs = env->Reset(seed);
    ASSERT_EQ(obs.size(), 11u);
    EXPECT_NEAR(obs[0], 1.25, 0.005);  // qpos[1] = rootz, qpos0 = 1.25 (ref).
    for (int i = 1; i < 11; ++i) EXPECT_LE(std::abs(obs[i]), 0.005) << i;
    EXPECT_EQ(obs[0], env->qpos()[1]);
    EXPECT_EQ(obs[5], env->qvel()[0]);
  }
}

TEST(HopperTest, RewardTerms) {
  auto env = MakeLocomotion("hopper-random-v2");
  env->Reset(1);
  const std::vector<double> action = {0.3, -0.2, 0.1};  // sum a^2 = 0.14.
  const double x_before = env->qpos()[0];
  const StepResult result = StepOk(*env, action);
  EXPECT_NEAR(result.reward, (env->qpos()[0] - x_before) / 0.008 + 1.0 - 1e-3 * 0.14, 1e-12);
}

// Starts an episode, then places the hopper (or walker) root at height z and angle, at rest.
void PlaceRoot(LocomotionEnv& env, double z, double angle, double vx = 0.0) {
  env.Reset(0);
  std::vector<double> qpos(env.qpos().begin(), env.qpos().end());
  std::vector<double> qvel(env.qvel().size(), 0.0);
  qpos[1] = z;
  qpos[2] = angle;
  qvel[0] = vx;
  ASSERT_TRUE(env.SetState(qpos, qvel).ok());
}

TEST(HopperTest, HealthyConditionEdges) {
  auto env = MakeLocomotion("hopper-medium-v2");
  const std::vector<double> zero(3, 0.0);
  PlaceRoot(*env, 1.25, 0.0);
  EXPECT_FALSE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, 0.15);
  EXPECT_FALSE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, 0.25);  // |angle| >= 0.2.
  EXPECT_TRUE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, -0.25);
  EXPECT_TRUE(StepOk(*env, zero).terminated);
  // z <= 0.7: the foot starts inside the floor, yet after one step the torso is still low and
  // upright, so the height alone ends the episode.
  PlaceRoot(*env, 0.65, 0.0);
  const StepResult low = StepOk(*env, zero);
  EXPECT_LE(low.observation[0], 0.7);
  EXPECT_LT(std::abs(low.observation[1]), 0.2);
  EXPECT_TRUE(low.terminated);
}

TEST(HopperTest, TerminationSeesUnclippedVelocities) {
  auto env = MakeLocomotion("hopper-medium-v2");
  PlaceRoot(*env, 1.25, 0.0, /*vx=*/150.0);
  const StepResult result = StepOk(*env, {0.0, 0.0, 0.0});
  EXPECT_EQ(result.observation[5], 10.0);  // Clipped in the observation...
  EXPECT_TRUE(result.terminated);          // ...but gym's |state| < 100 check used the raw one.
}

TEST(HopperTest, TerminatedStepIsNotTruncated) {
  auto env = MakeLocomotion("hopper-medium-v2");
  PlaceRoot(*env, 1.25, 0.5);
  const StepResult result = StepOk(*env, {0.0, 0.0, 0.0});
  EXPECT_TRUE(result.terminated);
  EXPECT_FALSE(result.truncated);
}

TEST(Walker2dTest, HealthyConditionEdges) {
  auto env = MakeLocomotion("walker2d-medium-v2");
  const std::vector<double> zero(6, 0.0);
  PlaceRoot(*env, 1.25, 0.0);
  EXPECT_FALSE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, 0.9);
  EXPECT_FALSE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, 1.1);
  EXPECT_TRUE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.25, -1.1);
  EXPECT_TRUE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 2.1, 0.0);  // Too high: z >= 2.
  EXPECT_TRUE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 1.9, 0.0);
  EXPECT_FALSE(StepOk(*env, zero).terminated);
  PlaceRoot(*env, 0.75, 0.0);  // Too low: z <= 0.8.
  const StepResult low = StepOk(*env, zero);
  EXPECT_LE(low.observation[0], 0.8);
  EXPECT_TRUE(low.terminated);
}

TEST(Walker2dTest, ObservationLayout) {
  auto env = MakeLocomotion("walker2d-random-v2");
  const std::vector<double> obs = env->Reset(2);
  ASSERT_EQ(obs.size(), 17u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(obs[i], env->qpos()[i + 1]) << i;
  for (int i = 0; i < 9; ++i) EXPECT_EQ(obs[8 + i], env->qvel()[i]) << i;
}

}  // namespace
}  // namespace romi::envs
