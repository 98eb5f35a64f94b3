#include "envs/ant_maze_env.h"

#include <mujoco/mujoco.h>

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "envs/ant_maze_geometry.h"
#include "envs/registry.h"
#include "envs/termination.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

constexpr const char* kAntTasks[] = {"antmaze-umaze-v0",       "antmaze-umaze-diverse-v0",
                                     "antmaze-medium-play-v0", "antmaze-medium-diverse-v0",
                                     "antmaze-large-play-v0",  "antmaze-large-diverse-v0"};

std::unique_ptr<AntMazeEnv> MakeAnt(absl::string_view task) {
  absl::StatusOr<std::unique_ptr<AntMazeEnv>> env = MakeAntMazeEnv(task);
  EXPECT_TRUE(env.ok()) << env.status();
  return std::move(env).value();
}

// The ant upright at rest with its torso at (x, y), joints at 0, through the observation.
void PlaceAt(AntMazeEnv& env, double x, double y) {
  std::vector<double> obs(29, 0.0);
  obs[0] = x;
  obs[1] = y;
  obs[2] = 0.75;
  obs[3] = 1.0;
  ASSERT_TRUE(env.SetStateFromObservation(obs).ok());
}

StepResult StepOk(AntMazeEnv& env, const std::vector<double>& action) {
  absl::StatusOr<StepResult> result = env.Step(action);
  EXPECT_TRUE(result.ok()) << result.status();
  return *result;
}

TEST(MakeAntMazeEnvTest, RejectsOtherTasks) {
  const auto env = MakeAntMazeEnv("maze2d-umaze-v1");
  EXPECT_EQ(env.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(env.status().message().find("antmaze-large-diverse-v0"), absl::string_view::npos);
}

TEST(AntMazeEnvTest, SpecsAndDimensions) {
  for (const char* task : kAntTasks) {
    auto env = MakeAnt(task);
    const EnvSpec& spec = env->Spec();
    EXPECT_EQ(spec.task, task);
    EXPECT_EQ(spec.domain, "antmaze");
    EXPECT_EQ(spec.obs_dim, 29);
    EXPECT_EQ(spec.act_dim, 8);
    EXPECT_EQ(spec.action_low, std::vector<double>(8, -1.0));
    EXPECT_EQ(spec.action_high, std::vector<double>(8, 1.0));
    const bool umaze = absl::StrContains(task, "umaze");
    EXPECT_EQ(spec.max_episode_steps, umaze ? 700 : 1000) << task;
    EXPECT_EQ(spec.ref_min_score, 0.0);
    EXPECT_EQ(spec.ref_max_score, 1.0);
    EXPECT_EQ(env->model().nq, 15);
    EXPECT_EQ(env->model().nv, 14);
    EXPECT_EQ(env->model().nu, 8);
    EXPECT_EQ(env->Reset(0).size(), 29u);
  }
}

TEST(AntMazeEnvTest, ModelIsD4rlsAnt) {
  auto env = MakeAnt("antmaze-umaze-v0");
  const mjModel& m = env->model();
  EXPECT_DOUBLE_EQ(m.opt.timestep, 0.02);
  EXPECT_EQ(m.opt.integrator, mjINT_RK4);
  // Actuators in D4RL's order, gear 1, ctrlrange +-30.
  const char* const order[] = {"hip_4", "ankle_4", "hip_1", "ankle_1",
                               "hip_2", "ankle_2", "hip_3", "ankle_3"};
  for (int a = 0; a < 8; ++a) {
    EXPECT_EQ(m.actuator_trnid[2 * a], mj_name2id(&m, mjOBJ_JOINT, order[a])) << order[a];
    EXPECT_EQ(m.actuator_gear[6 * a], 1.0);
    EXPECT_EQ(m.actuator_ctrlrange[2 * a + 1], 30.0);
  }
  // Joint qpos addresses follow the tree: leg 1's hip and ankle first, after the free joint.
  EXPECT_EQ(m.jnt_qposadr[mj_name2id(&m, mjOBJ_JOINT, "hip_1")], 7);
  EXPECT_EQ(m.jnt_qposadr[mj_name2id(&m, mjOBJ_JOINT, "ankle_4")], 14);
  // qpos0: torso at (0, 0, 0.75), upright.
  EXPECT_EQ(m.qpos0[2], 0.75);
  EXPECT_EQ(m.qpos0[3], 1.0);
}

TEST(AntMazeEnvTest, BodiesCarryMujoco20Masses) {
  auto env = MakeAnt("antmaze-large-play-v0");
  const mjModel& m = env->model();
  auto mass = [&m](const std::string& body) {
    const int id = mj_name2id(&m, mjOBJ_BODY, body.c_str());
    EXPECT_GE(id, 0) << body;
    return m.body_mass[id];
  };
  EXPECT_NEAR(mass("torso"), 0.327249, 1e-6);
  for (int k = 1; k <= 4; ++k) {
    const std::string leg = std::to_string(k);
    EXPECT_NEAR(mass("leg_" + leg), 0.036477, 1e-6) << k;
    EXPECT_NEAR(mass("aux_" + leg), 0.036477, 1e-6) << k;
    EXPECT_NEAR(mass("foot_" + leg), 0.064911, 1e-6) << k;
  }
  EXPECT_EQ(m.nbody, 1 + 1 + 4 * 3);
}

// Whether the torso, placed at (x, y) at its start height, touches a wall block.
bool TorsoTouchesAWall(AntMazeEnv& env, double x, double y) {
  PlaceAt(env, x, y);
  const mjModel& m = env.model();
  const int torso = mj_name2id(&m, mjOBJ_GEOM, "torso_geom");
  for (int c = 0; c < env.data().ncon; ++c) {
    const mjContact& contact = env.data().contact[c];
    const int other = contact.geom1 == torso ? contact.geom2 : contact.geom1;
    if (contact.geom1 != torso && contact.geom2 != torso) continue;
    const char* name = mj_id2name(&m, mjOBJ_GEOM, other);
    if (name != nullptr && absl::StartsWith(name, "wall_")) return true;
  }
  return false;
}

TEST(AntMazeEnvTest, WallsStandWhereTheMapSays) {
  for (const char* task : {"antmaze-umaze-v0", "antmaze-medium-play-v0", "antmaze-large-play-v0"}) {
    auto env = MakeAnt(task);
    const AntMazeGeometry& maze = env->maze();
    const MazeLayout& layout = maze.layout();
    EXPECT_FALSE(layout.IsWall(layout.goal())) << task;
    EXPECT_FALSE(layout.IsWall(*layout.start())) << task;
    int walls = 0;
    for (int i = 0; i < layout.rows(); ++i) {
      for (int j = 0; j < layout.cols(); ++j) {
        const std::array<double, 2> c = maze.CellCenter({i, j});
        EXPECT_EQ(TorsoTouchesAWall(*env, c[0], c[1]), layout.IsWall({i, j}))
            << task << " cell " << i << "," << j;
        walls += layout.IsWall({i, j});
      }
    }
    // One box per wall cell, half-size (2, 2, 1) standing on the floor.
    const mjModel& m = env->model();
    int boxes = 0;
    for (int g = 0; g < m.ngeom; ++g) {
      if (m.geom_type[g] != mjGEOM_BOX) continue;
      ++boxes;
      EXPECT_EQ(m.geom_size[3 * g], 2.0);
      EXPECT_EQ(m.geom_size[3 * g + 1], 2.0);
      EXPECT_EQ(m.geom_size[3 * g + 2], 1.0);
      EXPECT_EQ(m.geom_pos[3 * g + 2], 1.0);
    }
    EXPECT_EQ(boxes, walls) << task;
  }
}

TEST(AntMazeEnvTest, ActionsAreScaledBy30AndClipped) {
  auto env = MakeAnt("antmaze-umaze-v0");
  env->Reset(0);
  StepOk(*env, {0.5, -0.25, 1.0, -1.0, 2.0, -3.0, 0.0, 0.1});
  const double expected[] = {15.0, -7.5, 30.0, -30.0, 30.0, -30.0, 0.0, 3.0};
  for (int a = 0; a < 8; ++a) EXPECT_DOUBLE_EQ(env->data().ctrl[a], expected[a]) << a;
}

TEST(AntMazeEnvTest, OneStepIsFiveTimesteps) {
  auto env = MakeAnt("antmaze-umaze-v0");
  env->Reset(0);
  StepOk(*env, std::vector<double>(8, 0.0));
  EXPECT_NEAR(env->data().time, 0.1, 1e-12);
}

TEST(AntMazeEnvTest, ResetIsNoisyAroundTheStart) {
  auto env = MakeAnt("antmaze-medium-diverse-v0");
  const mjModel& m = env->model();
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::vector<double> obs = env->Reset(seed);
    for (int i : {0, 1, 2, 7, 8, 9, 10, 11, 12, 13, 14}) {
      EXPECT_LE(std::abs(obs[i] - m.qpos0[i]), 0.1) << i;
    }
    // The quaternion got the same noise, then MuJoCo's kinematics normalized it in qpos (2.0 did
    // too: gym's set_state runs mj_forward).
    EXPECT_NEAR(std::hypot(std::hypot(obs[3], obs[4]), std::hypot(obs[5], obs[6])), 1.0, 1e-12);
    EXPECT_GT(obs[3], 0.9);
    for (int i = 15; i < 29; ++i) EXPECT_LT(std::abs(obs[i]), 0.6) << i;  // 0.1 N(0, 1).
  }
  EXPECT_EQ(env->Reset(3), env->Reset(3));
}

TEST(AntMazeEnvTest, EvaluationGoalsAreD4rlsNoisyGoalCell) {
  for (const char* task : {"antmaze-umaze-v0", "antmaze-medium-play-v0", "antmaze-large-play-v0"}) {
    auto env = MakeAnt(task);
    const std::array<double, 2> base = env->maze().CellCenter(env->maze().layout().goal());
    // Before any Reset: the centre of the goals, the termination rule's goal.
    EXPECT_EQ(env->goal(), env->nominal_goal());
    EXPECT_EQ(env->nominal_goal(), (std::array<double, 2>{base[0] + 0.75, base[1] + 0.75}));
    std::array<double, 2> mean = {0.0, 0.0};
    constexpr int kSeeds = 400;
    for (uint64_t seed = 0; seed < kSeeds; ++seed) {
      env->Reset(seed);
      const std::array<double, 2> goal = env->goal();
      for (int k = 0; k < 2; ++k) {
        EXPECT_GE(goal[k], base[k]);
        EXPECT_LE(goal[k], base[k] + 1.5);
        mean[k] += goal[k] / kSeeds;
      }
    }
    // U(0, 1) + U(0, 0.5) has mean 0.75 and standard deviation 0.32: 400 draws sit within 0.1.
    EXPECT_NEAR(mean[0], base[0] + 0.75, 0.1) << task;
    EXPECT_NEAR(mean[1], base[1] + 0.75, 0.1) << task;
    env->Reset(5);
    const std::array<double, 2> goal = env->goal();
    env->Reset(6);
    EXPECT_NE(env->goal(), goal);
    env->Reset(5);
    EXPECT_EQ(env->goal(), goal);
  }
}

TEST(AntMazeEnvTest, ReachingTheGoalRewardsAndTerminates) {
  for (const char* task : kAntTasks) {
    auto env = MakeAnt(task);
    env->Reset(1);
    const std::array<double, 2> goal = env->goal();
    PlaceAt(*env, goal[0], goal[1]);
    StepResult result = StepOk(*env, std::vector<double>(8, 0.0));
    EXPECT_EQ(result.reward, 1.0) << task;
    EXPECT_TRUE(result.terminated) << task;
    EXPECT_FALSE(result.truncated) << task;
    // 0.6 from the goal (inside the goal cell, which is free): nothing.
    PlaceAt(*env, goal[0] - 0.6, goal[1]);
    result = StepOk(*env, std::vector<double>(8, 0.0));
    EXPECT_EQ(result.reward, 0.0) << task;
    EXPECT_FALSE(result.terminated) << task;
  }
}

TEST(AntMazeEnvTest, SpecRuleFiresAtTheNominalGoal) {
  for (const char* task : kAntTasks) {
    auto env = MakeAnt(task);  // No Reset: the goal is the nominal one.
    const std::array<double, 2> nominal = env->nominal_goal();
    PlaceAt(*env, nominal[0] + 0.3, nominal[1] - 0.3);
    const std::vector<double> obs = env->Observation();
    const StepResult result = StepOk(*env, std::vector<double>(8, 0.0));
    EXPECT_TRUE(result.terminated) << task;
    const TerminationFn& rule = env->Spec().termination;
    EXPECT_TRUE(IsTerminal(rule, obs, std::vector<double>(8, 0.0), result.observation).value());
    std::vector<double> away = result.observation;
    away[0] = nominal[0] + 0.51;
    away[1] = nominal[1];
    EXPECT_FALSE(IsTerminal(rule, obs, std::vector<double>(8, 0.0), away).value()) << task;
  }
}

TEST(AntMazeEnvTest, SetGoalMovesTheGoalUntilTheNextReset) {
  auto env = MakeAnt("antmaze-large-diverse-v0");
  env->Reset(2);
  const std::array<double, 2> drawn = env->goal();
  env->SetGoal({8.0, 0.0});  // Cell (1, 3), free.
  PlaceAt(*env, 8.2, 0.1);
  EXPECT_TRUE(env->AtGoal());
  EXPECT_EQ(StepOk(*env, std::vector<double>(8, 0.0)).reward, 1.0);
  env->Reset(2);
  EXPECT_EQ(env->goal(), drawn);
  EXPECT_EQ(env->dataset_goal_cells().size(), 7u);
}

TEST(AntMazeEnvTest, TruncatesAtTheLimitFarFromTheGoal) {
  auto env = MakeAnt("antmaze-umaze-diverse-v0");
  env->Reset(4);
  for (int t = 1; t <= 700; ++t) {
    const StepResult result = StepOk(*env, std::vector<double>(8, 0.0));
    EXPECT_FALSE(result.terminated);
    EXPECT_EQ(result.reward, 0.0);
    EXPECT_EQ(result.truncated, t == 700) << t;
  }
  // At rest the ant stays near its start.
  EXPECT_LT(std::hypot(env->qpos()[0], env->qpos()[1]), 1.0);
}

TEST(AntMazeEnvTest, SharesOneModelPerMaze) {
  auto a = MakeAnt("antmaze-medium-play-v0");
  auto b = MakeAnt("antmaze-medium-diverse-v0");
  auto c = MakeAnt("antmaze-umaze-v0");
  EXPECT_EQ(&a->model(), &b->model());
  EXPECT_NE(&a->model(), &c->model());
}

}  // namespace
}  // namespace romi::envs
