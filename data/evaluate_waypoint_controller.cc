// Scores the maze2d waypoint controller (waypoint_controller.h) the way D4RL measured maze2d's
// reference max returns: standard episodes in the env (reset, max_episode_steps steps, the env's
// reward), the controller heading for the task's goal cell, no action noise.
//
//   bazel run //data:evaluate_waypoint_controller -- --task=maze2d-umaze-v1 --episodes=100
//
// D4RL's script (scripts/reference_scores/maze2d_controller.py) kept one controller for all
// episodes and planned only once, since the target never changed: later episodes steer straight
// for the goal from wherever they start. --plan_once reproduces that; by default every episode
// plans from its own start.
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "data/waypoint_controller.h"
#include "envs/maze2d_env.h"
#include "envs/normalized_score.h"
#include "romi/base/status_macros.h"

ABSL_FLAG(std::string, task, "maze2d-umaze-v1", "maze2d task.");
ABSL_FLAG(int, episodes, 100, "Evaluation episodes.");
ABSL_FLAG(uint64_t, seed, 0, "Episode e resets with seed + e.");
ABSL_FLAG(bool, plan_once, false, "Plan only in the first episode, as D4RL's script did.");

namespace romi::data {
namespace {

double Mean(const std::vector<double>& x) {
  double sum = 0.0;
  for (double v : x) sum += v;
  return sum / x.size();
}

double Std(const std::vector<double>& x) {
  const double mean = Mean(x);
  double sum = 0.0;
  for (double v : x) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / x.size());
}

absl::Status Run() {
  const std::string task = absl::GetFlag(FLAGS_task);
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes <= 0) return absl::InvalidArgumentError("--episodes must be positive");
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Maze2dEnv> env, envs::MakeMaze2dEnv(task));
  const envs::EnvSpec& spec = env->Spec();
  const Vec2 goal = env->target();
  WaypointController controller(env->layout());
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));

  std::vector<double> returns, scores;
  int reached = 0;
  for (int episode = 0; episode < episodes; ++episode) {
    env->Reset(absl::GetFlag(FLAGS_seed) + episode);
    const auto position = [&env] { return Vec2{env->qpos()[0], env->qpos()[1]}; };
    if (episode == 0 || !absl::GetFlag(FLAGS_plan_once)) {
      controller.SetTarget(position(), goal, rng);
    }
    double episode_return = 0.0;
    for (int t = 0; t < spec.max_episode_steps; ++t) {
      const WaypointController::Command command =
          controller.Act(position(), {env->qvel()[0], env->qvel()[1]});
      ROMI_ASSIGN_OR_RETURN(const envs::StepResult step, env->Step(command.action));
      episode_return += step.reward;
    }
    const Vec2 end = position();
    reached += std::hypot(end[0] - goal[0], end[1] - goal[1]) <= 0.5;
    returns.push_back(episode_return);
    scores.push_back(envs::NormalizedScore(spec, episode_return));
  }
  std::printf("%s: %d episodes of %d steps%s\n", task.c_str(), episodes, spec.max_episode_steps,
              absl::GetFlag(FLAGS_plan_once) ? " (planned once, as D4RL's script)" : "");
  std::printf("return            mean %.2f  std %.2f  (D4RL reference max %.2f)\n",
              Mean(returns), Std(returns), spec.ref_max_score);
  std::printf("normalized score  mean %.1f  std %.1f\n", Mean(scores), Std(scores));
  std::printf("ended within 0.5 of the goal: %d / %d\n", reached, episodes);
  return absl::OkStatus();
}

}  // namespace
}  // namespace romi::data

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (const absl::Status status = romi::data::Run(); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
