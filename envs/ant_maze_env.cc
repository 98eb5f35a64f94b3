#include "envs/ant_maze_env.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "envs/legacy_inertia.h"
#include "envs/locomotion_env.h"
#include "envs/registry.h"
#include "envs/termination.h"

namespace romi::envs {
namespace {

constexpr int kObsDim = 29;
constexpr int kActDim = 8;
constexpr double kAntDensity = 5.0;
constexpr double kResetNoise = 0.1;
// The evaluation goal's noise per axis: U(0, kGoalCellNoise) (a quarter cell) plus
// U(0, kGoalExtraNoise); their means sum to the 0.75 of the termination rules' goals.
constexpr double kGoalCellNoise = 1.0;
constexpr double kGoalExtraNoise = 0.5;

}  // namespace

absl::StatusOr<std::shared_ptr<const mjModel>> SharedAntModel(const AntMazeGeometry& maze) {
  LegacyInertiaOptions inertia;
  inertia.density = kAntDensity;
  return SharedModel(absl::StrCat("antmaze:", maze.layout().ToString()), [&maze, &inertia] {
    return CompileWithLegacyInertia(AntMazeMjcf(maze), inertia);
  });
}

void ResetAntState(const mjModel& model, mjData& data, std::mt19937_64& rng) {
  SetNoisyInitialState(ResetNoise::kUniformPosNormalVel, kResetNoise, model, data, rng);
}

void StepAnt(const mjModel& model, mjData& data, absl::Span<const double> action) {
  for (int k = 0; k < kActDim; ++k) {
    data.ctrl[k] = std::clamp(AntMazeEnv::kCtrlLimit * action[k], -AntMazeEnv::kCtrlLimit,
                              AntMazeEnv::kCtrlLimit);
  }
  for (int i = 0; i < AntMazeEnv::kFrameSkip; ++i) mj_step(&model, &data);
}

absl::StatusOr<std::unique_ptr<AntMazeEnv>> AntMazeEnv::Create(
    const EnvSpec& spec, absl::string_view layout, absl::Span<const Cell> dataset_goal_cells) {
  ROMI_ASSIGN_OR_RETURN(AntMazeGeometry maze, AntMazeGeometry::Parse(layout));
  ROMI_ASSIGN_OR_RETURN(std::shared_ptr<const mjModel> model, SharedAntModel(maze));
  if (model->nq + model->nv != kObsDim || model->nu != kActDim) {
    return absl::InternalError(absl::StrCat("antmaze: the MJCF's dimensions (nq ", model->nq,
                                            ", nv ", model->nv, ", nu ", model->nu,
                                            ") disagree with obs_dim 29 / act_dim 8"));
  }
  ROMI_ASSIGN_OR_RETURN(MjDataPtr data, MakeData(*model));
  return std::unique_ptr<AntMazeEnv>(
      new AntMazeEnv(spec, std::move(model), std::move(data), std::move(maze), dataset_goal_cells));
}

AntMazeEnv::AntMazeEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data,
                       AntMazeGeometry maze, absl::Span<const Cell> dataset_goal_cells)
    : MujocoEnv(std::move(spec), std::move(model), std::move(data)),
      maze_(std::move(maze)),
      dataset_goal_cells_(dataset_goal_cells),
      goal_(nominal_goal()) {}

std::vector<double> AntMazeEnv::Observation() const {
  std::vector<double> obs(data().qpos, data().qpos + model().nq);
  obs.insert(obs.end(), data().qvel, data().qvel + model().nv);
  return obs;
}

std::array<double, 2> AntMazeEnv::nominal_goal() const {
  const std::array<double, 2> center = maze_.CellCenter(maze_.layout().goal());
  const double mean_noise = (kGoalCellNoise + kGoalExtraNoise) / 2;
  return {center[0] + mean_noise, center[1] + mean_noise};
}

bool AntMazeEnv::AtGoal() const {
  return std::hypot(data().qpos[0] - goal_[0], data().qpos[1] - goal_[1]) <= kGoalRadius;
}

std::array<double, 2> AntMazeEnv::DrawGoalIn(Cell cell, std::mt19937_64& rng) const {
  // D4RL's order of draws: the cell noise for x and y, then the extra noise for x and y.
  std::uniform_real_distribution<double> cell_noise(0.0, kGoalCellNoise);
  std::uniform_real_distribution<double> extra_noise(0.0, kGoalExtraNoise);
  const std::array<double, 2> center = maze_.CellCenter(cell);
  std::array<double, 2> goal;
  for (int k = 0; k < 2; ++k) goal[k] = center[k] + cell_noise(rng);
  for (int k = 0; k < 2; ++k) goal[k] += extra_noise(rng);
  return goal;
}

void AntMazeEnv::ResetState(std::mt19937_64& rng) {
  ResetAntState(model(), *mutable_data(), rng);
  goal_ = DrawGoalIn(maze_.layout().goal(), rng);
}

MujocoEnv::Transition AntMazeEnv::StepPhysics(absl::Span<const double> action) {
  StepAnt(model(), *mutable_data(), action);
  const bool at_goal = AtGoal();
  return {at_goal ? 1.0 : 0.0, /*terminated=*/at_goal};
}

namespace {

// One registry line per task; play and diverse share a maze and differ in their datasets only.
struct AntMazeTask {
  const char* name;
  const char* layout;
  absl::Span<const Cell> dataset_goal_cells;
  int max_episode_steps;
  const TerminationFn& (*termination)();
};

constexpr AntMazeTask kAntMazeTasks[] = {
    {"antmaze-umaze-v0", kAntUMazeLayout, kAntUMazeDatasetGoals, 700, &AntUMazeTermination},
    {"antmaze-umaze-diverse-v0", kAntUMazeLayout, kAntUMazeDatasetGoals, 700, &AntUMazeTermination},
    {"antmaze-medium-play-v0", kAntMediumMazeLayout, kAntMediumMazeDatasetGoals, 1000,
     &AntMediumMazeTermination},
    {"antmaze-medium-diverse-v0", kAntMediumMazeLayout, kAntMediumMazeDatasetGoals, 1000,
     &AntMediumMazeTermination},
    {"antmaze-large-play-v0", kAntLargeMazeLayout, kAntLargeMazeDatasetGoals, 1000,
     &AntLargeMazeTermination},
    {"antmaze-large-diverse-v0", kAntLargeMazeLayout, kAntLargeMazeDatasetGoals, 1000,
     &AntLargeMazeTermination},
};

bool RegisterAntMazeTasks() {
  for (const AntMazeTask& task : kAntMazeTasks) {
    EnvSpec spec;
    spec.task = task.name;
    spec.domain = "antmaze";
    spec.obs_dim = kObsDim;
    spec.act_dim = kActDim;
    spec.action_low.assign(kActDim, -1.0);
    spec.action_high.assign(kActDim, 1.0);
    spec.max_episode_steps = task.max_episode_steps;
    // D4RL's infos.py: the normalized score is the success rate in percent.
    spec.ref_min_score = 0.0;
    spec.ref_max_score = 1.0;
    spec.termination = task.termination();
    RegisterTask(std::move(spec), [task](const EnvSpec& s) -> absl::StatusOr<std::unique_ptr<Env>> {
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<AntMazeEnv> env,
                            AntMazeEnv::Create(s, task.layout, task.dataset_goal_cells));
      return std::unique_ptr<Env>(std::move(env));
    });
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAntMazeTasks();

}  // namespace

absl::StatusOr<std::unique_ptr<AntMazeEnv>> MakeAntMazeEnv(absl::string_view task) {
  std::vector<std::string> names;
  for (const AntMazeTask& maze : kAntMazeTasks) {
    if (task == maze.name) {
      ROMI_ASSIGN_OR_RETURN(const EnvSpec spec, FindSpec(task));
      return AntMazeEnv::Create(spec, maze.layout, maze.dataset_goal_cells);
    }
    names.push_back(maze.name);
  }
  return absl::NotFoundError(absl::StrCat(
      "'", task, "' is not an antmaze task; antmaze tasks: ", absl::StrJoin(names, ", ")));
}

}  // namespace romi::envs
