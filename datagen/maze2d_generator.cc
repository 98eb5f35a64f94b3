#include "datagen/maze2d_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "base/status_macros.h"
#include "datagen/waypoint_controller.h"
#include "envs/maze2d_env.h"
#include "envs/normalized_score.h"

namespace romi::datagen {
namespace {

constexpr double kActionNoise = 0.5;
constexpr double kTargetJitter = 0.1;

}  // namespace

absl::StatusOr<data::D4rlFile> GenerateMaze2dDataset(absl::string_view task,
                                                     const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Maze2dEnv> env, envs::MakeMaze2dEnv(task));
  const std::vector<envs::Cell>& cells = env->layout().open_cells();
  const envs::MazeReward reward_type = env->reward_type();
  const Vec2 goal = env->target();

  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> noise(0.0, kActionNoise);
  std::uniform_real_distribution<double> jitter(-kTargetJitter, kTargetJitter);
  std::uniform_int_distribution<size_t> pick(0, cells.size() - 1);
  const auto sample_target = [&] {
    Vec2 target = envs::CellToQpos(cells[pick(rng)]);
    for (double& x : target) x += jitter(rng);
    return target;
  };
  const auto position = [&env] { return Vec2{env->qpos()[0], env->qpos()[1]}; };

  const int64_t n = options.rows;
  data::D4rlFile file;
  file.observations = torch::empty({n, 4});
  file.actions = torch::empty({n, 2});
  file.rewards = torch::empty({n});
  file.terminals = torch::zeros({n});
  file.timeouts = torch::zeros({n});
  file.infos["goal"] = torch::empty({n, 2});
  file.infos["qpos"] = torch::empty({n, 2});
  file.infos["qvel"] = torch::empty({n, 2});
  float* observations = file.observations.data_ptr<float>();
  float* actions = file.actions.data_ptr<float>();
  float* rewards = file.rewards.data_ptr<float>();
  float* timeouts = file.timeouts.data_ptr<float>();
  float* goals = file.infos["goal"].data_ptr<float>();
  float* qpos = file.infos["qpos"].data_ptr<float>();
  float* qvel = file.infos["qvel"].data_ptr<float>();

  env->Reset(rng());
  Vec2 target = sample_target();
  WaypointController controller(env->layout());
  controller.SetTarget(position(), target, rng);
  for (int64_t t = 0; t < n; ++t) {
    const Vec2 p = position();
    const Vec2 v{env->qvel()[0], env->qvel()[1]};
    const WaypointController::Command command = controller.Act(p, v);
    std::array<double, 2> action;
    for (int k = 0; k < 2; ++k) {
      action[k] = std::clamp(command.action[k] + noise(rng), -1.0, 1.0);
    }
    float* obs = observations + 4 * t;
    for (int k = 0; k < 2; ++k) {
      obs[k] = qpos[2 * t + k] = static_cast<float>(p[k]);
      obs[2 + k] = qvel[2 * t + k] = static_cast<float>(v[k]);
      actions[2 * t + k] = static_cast<float>(action[k]);
      goals[2 * t + k] = static_cast<float>(target[k]);
    }
    rewards[t] = static_cast<float>(envs::MazeRewardAt(reward_type, obs[0], obs[1], goal));
    timeouts[t] = command.reached ? 1.0f : 0.0f;
    ROMI_RETURN_IF_ERROR(env->Step(action).status());
    if (command.reached) {
      target = sample_target();
      controller.SetTarget(position(), target, rng);
    }
    ReportProgress(options, t);
  }
  file.metadata_strings["algorithm"] =
      "romi maze2d waypoint controller (D4RL's recipe), action noise N(0, 0.5^2)";
  return file;
}

absl::StatusOr<ControllerScore> EvaluateWaypointController(absl::string_view task, int episodes,
                                                           uint64_t seed,
                                                           bool replan_each_episode) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Maze2dEnv> env, envs::MakeMaze2dEnv(task));
  const envs::EnvSpec& spec = env->Spec();
  const Vec2 goal = env->target();
  const auto position = [&env] { return Vec2{env->qpos()[0], env->qpos()[1]}; };
  WaypointController controller(env->layout());
  std::mt19937_64 rng(seed);
  ControllerScore score;
  for (int episode = 0; episode < episodes; ++episode) {
    env->Reset(seed + episode);
    if (episode == 0 || replan_each_episode) controller.SetTarget(position(), goal, rng);
    double episode_return = 0.0;
    for (int t = 0; t < spec.max_episode_steps; ++t) {
      const WaypointController::Command command =
          controller.Act(position(), {env->qvel()[0], env->qvel()[1]});
      ROMI_ASSIGN_OR_RETURN(const envs::StepResult step, env->Step(command.action));
      episode_return += step.reward;
    }
    const Vec2 end = position();
    score.ended_at_goal += std::hypot(end[0] - goal[0], end[1] - goal[1]) <= 0.5;
    score.returns.push_back(episode_return);
    score.normalized_scores.push_back(envs::NormalizedScore(spec, episode_return));
  }
  return score;
}

}  // namespace romi::datagen
