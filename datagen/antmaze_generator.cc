#include "datagen/antmaze_generator.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "datagen/online_sac.h"
#include "datagen/policy_file.h"
#include "datagen/policy_generator.h"
#include "envs/ant_goal_env.h"
#include "envs/registry.h"

namespace romi::datagen {
namespace {

constexpr int kObsDim = 29;
constexpr int kActDim = 8;
constexpr int kQpos = 15;
constexpr int kQvel = 14;
constexpr double kPlannerClamp = 1e-4;
constexpr double kWaypointNoise = 1.0;  // U(0, cell size / 4) per axis
constexpr double kStartNoise = 1.0;     // U(0, 0.5) * cell size / 2 per axis
constexpr double kActionNoiseStd = 0.2;
constexpr int kTimeoutStep = 1000;  // D4RL's --max_episode_steps: rows 0..1000 per episode

// A point in the maze's world xy (a macro argument cannot hold std::array's comma).
using Xy = std::array<double, 2>;

enum class Variant { kUMaze, kPlay, kDiverse };

Variant VariantOf(absl::string_view task) {
  if (absl::StrContains(task, "-diverse-")) return Variant::kDiverse;
  if (absl::StrContains(task, "-play-")) return Variant::kPlay;
  return Variant::kUMaze;
}

bool Contains(absl::Span<const envs::Cell> cells, envs::Cell cell) {
  return std::find(cells.begin(), cells.end(), cell) != cells.end();
}

// The free cells of the maze (row-major, each once).
std::vector<envs::Cell> FreeCells(const envs::MazeLayout& layout) {
  std::vector<envs::Cell> cells;
  for (int i = 0; i < layout.rows(); ++i) {
    for (int j = 0; j < layout.cols(); ++j) {
      if (!layout.IsWall({i, j})) cells.push_back({i, j});
    }
  }
  return cells;
}

// A point of `cell` as maze_env.py draws waypoints and starts: its centre + U(0, noise) per axis.
Xy NoisyPoint(const envs::AntMazeGeometry& maze, envs::Cell cell, double noise,
              std::mt19937_64& rng) {
  Xy p = maze.CellCenter(cell);
  std::uniform_real_distribution<double> u(0.0, noise);
  for (int k = 0; k < 2; ++k) p[k] += u(rng);
  return p;
}

// The dataset's start and goal cells of a task (header: umaze, play, diverse).
struct EpisodeCells {
  std::vector<envs::Cell> starts;  // empty: the task's own reset
  std::vector<envs::Cell> goals;
};

EpisodeCells CellsOf(const envs::AntMazeEnv& env, Variant variant) {
  const std::vector<envs::Cell> free = FreeCells(env.maze().layout());
  EpisodeCells cells;
  const absl::Span<const envs::Cell> goal_cells = env.dataset_goal_cells();
  if (variant == Variant::kUMaze) {
    cells.goals.assign(goal_cells.begin(), goal_cells.end());
  } else if (variant == Variant::kPlay) {
    for (const envs::Cell& c : free) {
      if (!Contains(goal_cells, c)) cells.starts.push_back(c);
    }
    cells.goals.assign(goal_cells.begin(), goal_cells.end());
  } else {
    cells.starts = free;
    cells.goals = free;
  }
  return cells;
}

template <typename T>
const T& Pick(const std::vector<T>& items, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> index(0, items.size() - 1);
  return items[index(rng)];
}

// Resets `env` for a dataset episode and returns its goal.
absl::StatusOr<std::array<double, 2>> StartEpisode(envs::AntMazeEnv& env, const EpisodeCells& cells,
                                                   std::mt19937_64& rng) {
  env.Reset(rng());
  if (!cells.starts.empty()) {
    const std::array<double, 2> start =
        NoisyPoint(env.maze(), Pick(cells.starts, rng), kStartNoise, rng);
    std::vector<double> qpos(env.qpos().begin(), env.qpos().end());
    std::vector<double> qvel(env.qvel().begin(), env.qvel().end());
    qpos[0] = start[0];
    qpos[1] = start[1];
    ROMI_RETURN_IF_ERROR(env.SetState(qpos, qvel));
  }
  const Xy goal = env.DrawGoalIn(Pick(cells.goals, rng), rng);
  env.SetGoal(goal);
  return goal;
}

}  // namespace

envs::Cell PlannerCell(const envs::AntMazeGeometry& maze, double x, double y) {
  const envs::Cell start = *maze.layout().start();
  const double size = envs::AntMazeGeometry::kCellSize;
  return {static_cast<int>(start.row + std::max(y, kPlannerClamp) / size),
          static_cast<int>(start.col + std::max(x, kPlannerClamp) / size)};
}

absl::StatusOr<envs::Cell> NextCellTowards(const envs::MazeLayout& layout, envs::Cell from,
                                           envs::Cell to) {
  if (from == to) return to;
  // Breadth-first from the target; the first cell found next to `from` is the step to take.
  std::set<std::pair<int, int>> visited;
  std::vector<envs::Cell> frontier = {to};
  while (!frontier.empty()) {
    std::vector<envs::Cell> next;
    for (const envs::Cell& cell : frontier) {
      visited.insert({cell.row, cell.col});
      const envs::Cell neighbours[] = {{cell.row, cell.col - 1},
                                       {cell.row, cell.col + 1},
                                       {cell.row + 1, cell.col},
                                       {cell.row - 1, cell.col}};
      for (const envs::Cell& n : neighbours) {
        if (n == from) return cell;
        if (layout.IsWall(n) || visited.count({n.row, n.col}) > 0) continue;
        next.push_back(n);
      }
    }
    frontier = std::move(next);
  }
  return absl::NotFoundError(absl::StrCat("no path from cell (", from.row, ", ", from.col,
                                          ") to cell (", to.row, ", ", to.col, ")"));
}

absl::StatusOr<AntMazeNavigator> AntMazeNavigator::Create(const envs::AntMazeGeometry& maze,
                                                          learners::TanhGaussianPolicy policy) {
  if (policy->options().obs_dim != kObsDim || policy->options().act_dim != kActDim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the goal-reaching policy takes ", policy->options().obs_dim, " inputs and gives ",
        policy->options().act_dim, " actions; the antmaze navigator needs 29 and 8"));
  }
  if (!maze.layout().start().has_value()) {
    return absl::InvalidArgumentError("the maze has no start cell for D4RL's planner cells");
  }
  return AntMazeNavigator(maze, std::move(policy));
}

AntMazeNavigator::AntMazeNavigator(envs::AntMazeGeometry maze, learners::TanhGaussianPolicy policy)
    : maze_(std::move(maze)), policy_(std::move(policy)), input_(torch::empty({1, kObsDim})) {}

std::array<double, 2> AntMazeNavigator::Waypoint(double x, double y, std::array<double, 2> goal,
                                                 std::mt19937_64& rng) const {
  const envs::Cell goal_cell = PlannerCell(maze_, goal[0], goal[1]);
  const absl::StatusOr<envs::Cell> next =
      NextCellTowards(maze_.layout(), PlannerCell(maze_, x, y), goal_cell);
  if (!next.ok() || *next == goal_cell) return goal;
  return NoisyPoint(maze_, *next, kWaypointNoise, rng);
}

std::vector<double> AntMazeNavigator::Action(const envs::AntMazeEnv& env, Xy goal, double noise_std,
                                             std::mt19937_64& rng, torch::Generator& sampler) {
  const Xy waypoint = Waypoint(env.qpos()[0], env.qpos()[1], goal, rng);
  torch::NoGradGuard no_grad;
  const std::vector<double> obs = envs::GoalReachingObservation(env.qpos(), env.qvel(), waypoint);
  std::copy(obs.begin(), obs.end(), input_.data_ptr<float>());
  const torch::Tensor sampled = policy_->Sample(input_, sampler).action;
  const float* a = sampled.data_ptr<float>();
  std::vector<double> action(a, a + kActDim);
  if (noise_std > 0) {
    std::normal_distribution<double> noise(0.0, noise_std);
    for (double& x : action) x = std::clamp(x + noise(rng), -1.0, 1.0);
  }
  return action;
}

absl::StatusOr<learners::TanhGaussianPolicy> LoadAntGoalReachingPolicy() {
  const std::string path = ShippedPolicyPath(kAntGoalReachingPolicy);
  absl::StatusOr<learners::TanhGaussianPolicy> policy = LoadPolicyFile(path);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat("the antmaze datasets need the shipped goal-reaching policy: ",
                                     policy.status().message()));
  }
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(envs::kAntGoalReachingTask));
  ROMI_RETURN_IF_ERROR(CheckPolicyFitsEnv(*policy, spec));
  return policy;
}

absl::StatusOr<data::D4rlFile> GenerateAntMazeDataset(absl::string_view task,
                                                      const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(envs::MakeAntMazeEnv(task).status());
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(learners::TanhGaussianPolicy policy, LoadAntGoalReachingPolicy());
  return GenerateAntMazeRollouts(task, std::move(policy), options);
}

absl::StatusOr<data::D4rlFile> GenerateAntMazeRollouts(absl::string_view task,
                                                       learners::TanhGaussianPolicy policy,
                                                       const GeneratorOptions& options) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::AntMazeEnv> env, envs::MakeAntMazeEnv(task));
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(AntMazeNavigator navigator,
                        AntMazeNavigator::Create(env->maze(), std::move(policy)));
  const EpisodeCells cells = CellsOf(*env, VariantOf(task));
  std::mt19937_64 rng(options.seed);
  torch::Generator sampler = at::make_generator<at::CPUGeneratorImpl>(options.seed);

  const int64_t n = options.rows;
  data::D4rlFile file;
  file.observations = torch::empty({n, kObsDim});
  file.actions = torch::empty({n, kActDim});
  file.rewards = torch::empty({n});
  file.terminals = torch::empty({n});
  file.timeouts = torch::zeros({n});
  file.infos["goal"] = torch::empty({n, 2});
  file.infos["qpos"] = torch::empty({n, kQpos});
  file.infos["qvel"] = torch::empty({n, kQvel});
  float* observations = file.observations.data_ptr<float>();
  float* actions = file.actions.data_ptr<float>();
  float* rewards = file.rewards.data_ptr<float>();
  float* terminals = file.terminals.data_ptr<float>();
  float* timeouts = file.timeouts.data_ptr<float>();
  float* goals = file.infos["goal"].data_ptr<float>();
  float* qpos = file.infos["qpos"].data_ptr<float>();
  float* qvel = file.infos["qvel"].data_ptr<float>();

  ROMI_ASSIGN_OR_RETURN(Xy goal, StartEpisode(*env, cells, rng));
  int step_in_episode = 0;
  for (int64_t t = 0; t < n; ++t) {
    const std::vector<double> obs = env->Observation();
    std::copy(obs.begin(), obs.end(), observations + t * kObsDim);
    std::copy(env->qpos().begin(), env->qpos().end(), qpos + t * kQpos);
    std::copy(env->qvel().begin(), env->qvel().end(), qvel + t * kQvel);
    goals[2 * t] = static_cast<float>(goal[0]);
    goals[2 * t + 1] = static_cast<float>(goal[1]);
    const std::vector<double> action = navigator.Action(*env, goal, kActionNoiseStd, rng, sampler);
    std::copy(action.begin(), action.end(), actions + t * kActDim);
    ROMI_ASSIGN_OR_RETURN(const envs::StepResult step, env->Step(action));
    // The env's reward is the goal test after the step; its termination is ignored (the dataset
    // runs never stopped at the goal) but recorded, as the released files do.
    rewards[t] = static_cast<float>(step.reward);
    terminals[t] = step.reward > 0 ? 1.0f : 0.0f;
    if (step_in_episode == kTimeoutStep) {
      timeouts[t] = 1;
      step_in_episode = 0;
      if (t + 1 < n) {
        ROMI_ASSIGN_OR_RETURN(goal, StartEpisode(*env, cells, rng));
      }
    } else {
      ++step_in_episode;
    }
    ReportProgress(options, t);
  }
  file.metadata_strings["algorithm"] =
      "romi antmaze navigator (BFS waypoints + goal-reaching SAC policy, sampled, N(0, 0.2^2) "
      "action noise)";
  return file;
}

absl::StatusOr<AntMazeDatasetStats> MeasureAntMazeDataset(absl::string_view task,
                                                          const data::D4rlFile& file) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::AntMazeEnv> env, envs::MakeAntMazeEnv(task));
  const envs::AntMazeGeometry& maze = env->maze();
  AntMazeDatasetStats stats;
  stats.rows = file.size();
  const std::vector<envs::Cell> free = FreeCells(maze.layout());
  stats.free_cells = static_cast<int64_t>(free.size());
  std::set<std::pair<int, int>> visited;
  const auto obs = file.observations.accessor<float, 2>();
  const auto rewards = file.rewards.accessor<float, 1>();
  const torch::Tensor timeouts =
      file.timeouts.defined() ? file.timeouts : torch::zeros({stats.rows});
  const auto timeout = timeouts.accessor<float, 1>();
  bool rewarded = false;
  int64_t length = 0, lengths = 0, ended = 0;
  for (int64_t t = 0; t < stats.rows; ++t) {
    const envs::Cell cell = maze.CellAt(obs[t][0], obs[t][1]);
    if (!maze.layout().IsWall(cell)) visited.insert({cell.row, cell.col});
    rewarded |= rewards[t] > 0;
    stats.rewarded_rows += rewards[t] > 0 ? 1 : 0;
    ++length;
    const bool ends = timeout[t] > 0;
    if (ends || t + 1 == stats.rows) {  // the last episode may be cut: not a length
      ++stats.episodes;
      stats.successful_episodes += rewarded ? 1 : 0;
      if (ends) {
        lengths += length;
        ++ended;
      }
      rewarded = false;
      length = 0;
    }
  }
  stats.mean_episode_length = ended > 0 ? static_cast<double>(lengths) / ended : 0.0;
  stats.visited_free_cells = static_cast<int64_t>(visited.size());
  return stats;
}

absl::StatusOr<double> NavigatorSuccessRate(absl::string_view task,
                                            learners::TanhGaussianPolicy policy, int episodes,
                                            uint64_t seed, double noise_std) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::AntMazeEnv> env, envs::MakeAntMazeEnv(task));
  ROMI_ASSIGN_OR_RETURN(AntMazeNavigator navigator,
                        AntMazeNavigator::Create(env->maze(), std::move(policy)));
  std::mt19937_64 rng(seed);
  torch::Generator sampler = at::make_generator<at::CPUGeneratorImpl>(seed);
  int successes = 0;
  for (int e = 0; e < episodes; ++e) {
    env->Reset(seed + e);
    for (int t = 0; t < env->Spec().max_episode_steps; ++t) {
      const std::vector<double> action =
          navigator.Action(*env, env->goal(), noise_std, rng, sampler);
      ROMI_ASSIGN_OR_RETURN(const envs::StepResult step, env->Step(action));
      if (step.terminated) {
        ++successes;
        break;
      }
    }
  }
  return episodes > 0 ? static_cast<double>(successes) / episodes : 0.0;
}

}  // namespace romi::datagen
