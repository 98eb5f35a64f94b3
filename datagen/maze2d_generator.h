// maze2d datasets (maze2d-{umaze,medium,large}[-dense]-v1) recorded the way D4RL recorded them:
// the waypoint controller (waypoint_controller.h) drives the point mass to random targets in one
// long trajectory.
//
// Recipe: reset the env once; draw a target uniformly over the free cells and the goal cell, plus
// U(-0.1, 0.1) per axis. Each step: the controller's action + N(0, 0.5^2) noise, clipped to
// [-1, 1]. When the controller reports the target reached, that row gets timeouts = 1 and a new
// target is drawn and planned for from the state after the step; the env is never reset.
// Rewards are relabelled against the task's fixed goal cell G on observations[t] (the position
// *before* the step, as D4RL's relabelling did): sparse 1 if |qpos - G| <= 0.5 else 0, dense
// exp(-|qpos - G|). Sparse and dense tasks share the trajectory for the same seed.
//
// Keys: observations [N, 4], actions [N, 2], rewards [N], terminals [N] (all 0), timeouts [N],
// infos/goal [N, 2] (the current target, jitter included), infos/qpos [N, 2], infos/qvel [N, 2].
// Two deliberate differences from D4RL's script (scripts/generation/generate_maze2d_datasets.py):
// after a reached target it recorded the next row with the stale pre-step observation (a bug;
// here every row is the true state); and it also ended a target's episode after max_episode_steps
// without reaching it (here only reaching does; the controller reaches every target well within
// the limit: the longest target episodes of the full-size data, seed 0, are 230 / 416 / 632
// steps in umaze / medium / large, limits 300 / 600 / 800).
#ifndef ROMI_DATAGEN_MAZE2D_GENERATOR_H_
#define ROMI_DATAGEN_MAZE2D_GENERATOR_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"

namespace romi::datagen {

// NotFoundError (listing the maze2d tasks) for another task; InvalidArgumentError for rows <= 0.
absl::StatusOr<data::D4rlFile> GenerateMaze2dDataset(absl::string_view task,
                                                     const GeneratorOptions& options);

// The waypoint controller's own score, measured as D4RL measured maze2d's reference max returns
// (scripts/reference_scores/maze2d_controller.py): episodes of max_episode_steps in the env from
// Reset(seed + e), the env's reward, the controller heading for the goal cell, no action noise.
// D4RL's script kept one controller for all episodes and, as the target never changed, planned
// only in the first: later episodes steer straight for the goal and often stick behind a wall.
// That is what `replan_each_episode = false` reproduces (normalized scores near 100);
// with true, every episode plans from its own start (a much better controller).
struct ControllerScore {
  std::vector<double> returns;
  std::vector<double> normalized_scores;
  int ended_at_goal = 0;  // episodes ending within 0.5 of the goal
};
absl::StatusOr<ControllerScore> EvaluateWaypointController(absl::string_view task, int episodes,
                                                           uint64_t seed, bool replan_each_episode);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_MAZE2D_GENERATOR_H_
