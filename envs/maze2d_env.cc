#include "envs/maze2d_env.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "envs/registry.h"

namespace romi::envs {

double MazeRewardAt(MazeReward type, double x, double y, std::array<double, 2> target) {
  const double distance = std::hypot(x - target[0], y - target[1]);
  if (type == MazeReward::kDense) return std::exp(-distance);
  return distance <= 0.5 ? 1.0 : 0.0;
}

absl::StatusOr<std::unique_ptr<Maze2dEnv>> Maze2dEnv::Create(const EnvSpec& spec,
                                                             absl::string_view layout_text,
                                                             MazeReward reward) {
  ROMI_ASSIGN_OR_RETURN(MazeLayout layout, MazeLayout::Parse(layout_text));
  ROMI_ASSIGN_OR_RETURN(std::shared_ptr<const mjModel> model,
                        SharedModel(absl::StrCat("maze2d:", layout.ToString()),
                                    [&layout] { return CompileMjcf(MazeMjcf(layout)); }));
  ROMI_ASSIGN_OR_RETURN(MjDataPtr data, MakeData(*model));
  return std::unique_ptr<Maze2dEnv>(
      new Maze2dEnv(spec, std::move(model), std::move(data), std::move(layout), reward));
}

Maze2dEnv::Maze2dEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data,
                     MazeLayout layout, MazeReward reward)
    : MujocoEnv(std::move(spec), std::move(model), std::move(data)),
      layout_(std::move(layout)),
      reward_(reward) {}

std::vector<double> Maze2dEnv::Observation() const {
  return {data().qpos[0], data().qpos[1], data().qvel[0], data().qvel[1]};
}

void Maze2dEnv::ResetState(std::mt19937_64& rng) {
  const auto& cells = layout_.open_cells();
  std::uniform_int_distribution<size_t> pick(0, cells.size() - 1);
  std::uniform_real_distribution<double> jitter(-0.1, 0.1);
  std::normal_distribution<double> velocity(0.0, 0.1);
  const std::array<double, 2> start = CellToQpos(cells[pick(rng)]);
  mjData* d = mutable_data();
  for (int k = 0; k < 2; ++k) d->qpos[k] = start[k] + jitter(rng);
  for (int k = 0; k < 2; ++k) d->qvel[k] = velocity(rng);
}

MujocoEnv::Transition Maze2dEnv::StepPhysics(absl::Span<const double> action) {
  const mjModel* m = &model();
  mjData* d = mutable_data();
  for (int k = 0; k < 2; ++k) d->ctrl[k] = std::clamp(action[k], -1.0, 1.0);
  // D4RL clips the velocity *before* stepping and recomputes the state (set_state -> forward).
  for (int k = 0; k < 2; ++k) d->qvel[k] = std::clamp(d->qvel[k], -kMaxSpeed, kMaxSpeed);
  mj_forward(m, d);
  mj_step(m, d);
  return {MazeRewardAt(reward_, d->qpos[0], d->qpos[1], target()), /*terminated=*/false};
}

namespace {

// One registry line per task: name, layout, reward type, episode length, reference returns.
struct MazeTask {
  const char* name;
  const char* layout;
  MazeReward reward;
  int max_episode_steps;
  double ref_min_score;
  double ref_max_score;
};

constexpr MazeTask kMazeTasks[] = {
    {"maze2d-umaze-v1", kUMazeLayout, MazeReward::kSparse, 300, 23.85, 161.86},
    {"maze2d-medium-v1", kMediumMazeLayout, MazeReward::kSparse, 600, 13.13, 277.39},
    {"maze2d-large-v1", kLargeMazeLayout, MazeReward::kSparse, 800, 6.7, 273.99},
    {"maze2d-umaze-dense-v1", kUMazeLayout, MazeReward::kDense, 300, 68.537689, 193.66285642381482},
    {"maze2d-medium-dense-v1", kMediumMazeLayout, MazeReward::kDense, 600, 44.264742,
     297.4552547777125},
    {"maze2d-large-dense-v1", kLargeMazeLayout, MazeReward::kDense, 800, 30.569041,
     303.4857382709002},
};

bool RegisterMazeTasks() {
  for (const MazeTask& task : kMazeTasks) {
    EnvSpec spec;
    spec.task = task.name;
    spec.domain = "maze2d";
    spec.obs_dim = 4;
    spec.act_dim = 2;
    spec.action_low = {-1.0, -1.0};
    spec.action_high = {1.0, 1.0};
    spec.max_episode_steps = task.max_episode_steps;
    spec.ref_min_score = task.ref_min_score;
    spec.ref_max_score = task.ref_max_score;
    spec.termination = NeverTerminates(spec.obs_dim, spec.act_dim);
    RegisterTask(std::move(spec), [task](const EnvSpec& s) -> absl::StatusOr<std::unique_ptr<Env>> {
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<Maze2dEnv> env,
                            Maze2dEnv::Create(s, task.layout, task.reward));
      return std::unique_ptr<Env>(std::move(env));
    });
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterMazeTasks();

}  // namespace

absl::StatusOr<std::unique_ptr<Maze2dEnv>> MakeMaze2dEnv(absl::string_view task) {
  std::vector<std::string> names;
  for (const MazeTask& maze : kMazeTasks) {
    if (task == maze.name) {
      ROMI_ASSIGN_OR_RETURN(const EnvSpec spec, FindSpec(task));
      return Maze2dEnv::Create(spec, maze.layout, maze.reward);
    }
    names.push_back(maze.name);
  }
  return absl::NotFoundError(absl::StrCat(
      "'", task, "' is not a maze2d task; maze2d tasks: ", absl::StrJoin(names, ", ")));
}
}  // namespace romi::envs
