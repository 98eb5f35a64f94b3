// antmaze datasets (antmaze-{umaze,umaze-diverse,medium-play,medium-diverse,large-play,
// large-diverse}-v0) recorded by D4RL's recipe (scripts/generation/generate_ant_maze_datasets.py
// with d4rl/locomotion/maze_env.py's navigation policy): a goal-reaching policy steered along BFS
// waypoints through the maze.
//
// The navigator, each step (AntMazeNavigator):
//   - the planner cell of the torso and of the goal: D4RL's _xy_to_rowcol,
//     (int(i_R + max(y, 1e-4) / 4), int(j_R + max(x, 1e-4) / 4)), half a cell off the cell the
//     torso is in (ant_maze_geometry.h), kept because D4RL's waypoints came from it;
//   - the next cell on a shortest path (NextCellTowards: BFS from the goal's cell outward, D4RL's
//     neighbour order left, right, down, up); the waypoint is that cell's point + U(0, 1) per
//     axis, drawn anew every step, or the goal itself once the next cell is the goal's;
//   - the action: the shipped goal-reaching policy ("ant-goal-reaching", trained on
//     ant-goal-reaching-v0, envs/ant_goal_env.h) sampled (D4RL ran rlkit's exploration policy,
//     which samples) on GoalReachingObservation(state, waypoint), then + N(0, 0.2^2) and clipped
//     to [-1, 1] (the released files are D4RL's "noisy" runs).
// Episodes: the env is reset, a goal drawn, and the ant runs for 1001 steps (D4RL's counter marks
// the row where it reaches 1000 as the time-out), whether or not it reaches the goal; nothing ends
// an episode early. The last episode is cut where the rows end.
//   umaze (antmaze-umaze-v0): the task's own reset (the start cell, U(-0.1, 0.1) noise) and goals
//     from the dataset map's goal cell (3, 1).
//   play (medium, large): starts at a uniformly drawn free cell that is not a goal cell, at its
//     point + U(0, 1) per axis (D4RL's non_zero_reset); goals from the dataset map's goal cells
//     (ant_maze_geometry.h, kAnt*DatasetGoals).
//   diverse (umaze, medium, large): starts and goals at any free cell.
//   A goal is its cell's point + U(0, 1) + U(0, 0.5) per axis (maze_env.py's goal_sampler).
// Rows: observations [N, 29] (the state before the step), actions [N, 8], rewards [N] (1 when the
// torso is within 0.5 of the episode's goal after the step), terminals [N] (= rewards: the released
// files mark every step at the goal terminal, D4RL issue #199), timeouts [N], infos/goal [N, 2],
// infos/qpos [N, 15], infos/qvel [N, 14] (the state behind observations[t]; D4RL's script stored
// the state after the step there).
//
// Not reproduced: D4RL's antmaze-umaze-diverse files hold a single reward per episode unlike the
// others (issue #199); ours are made like the rest.
#ifndef ROMI_DATAGEN_ANTMAZE_GENERATOR_H_
#define ROMI_DATAGEN_ANTMAZE_GENERATOR_H_

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"
#include "envs/ant_maze_env.h"
#include "envs/ant_maze_geometry.h"
#include "envs/maze_layout.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::datagen {

// The name of the goal-reaching policy in datagen/policies/ (manifest.textproto).
inline constexpr char kAntGoalReachingPolicy[] = "ant-goal-reaching";

// D4RL's planner cell of a point (above): relative to the start cell, which need not be (1, 1).
envs::Cell PlannerCell(const envs::AntMazeGeometry& maze, double x, double y);

// The neighbour of `from` on a shortest path to `to` over the free cells (D4RL's
// _get_best_next_rowcol): `to` itself when from == to or when they are neighbours. `from` may be
// a wall cell (the planner cell can be one next to a wall). NotFoundError when no path exists.
absl::StatusOr<envs::Cell> NextCellTowards(const envs::MazeLayout& layout, envs::Cell from,
                                           envs::Cell to);

// The waypoint follower: planner + goal-reaching policy (above).
class AntMazeNavigator {
 public:
  // `policy` must take GoalReachingObservation's 29 inputs and give 8 actions.
  static absl::StatusOr<AntMazeNavigator> Create(const envs::AntMazeGeometry& maze,
                                                 learners::TanhGaussianPolicy policy);

  // Where to head for from torso (x, y) on the way to `goal`; draws the waypoint noise from rng.
  // A goal the planner cannot reach (never in D4RL's mazes) is headed for straight.
  std::array<double, 2> Waypoint(double x, double y, std::array<double, 2> goal,
                                 std::mt19937_64& rng) const;

  // One step of the ant in `env` on its way to `goal`: the waypoint, the policy's action toward
  // it sampled with `sampler`, then + N(0, noise_std^2) (from rng) clipped to [-1, 1].
  std::vector<double> Action(const envs::AntMazeEnv& env, std::array<double, 2> goal,
                             double noise_std, std::mt19937_64& rng, torch::Generator& sampler);

 private:
  AntMazeNavigator(envs::AntMazeGeometry maze, learners::TanhGaussianPolicy policy);

  envs::AntMazeGeometry maze_;
  learners::TanhGaussianPolicy policy_;
  torch::Tensor input_;  // [1, 29], reused
};

// The shipped goal-reaching policy (ShippedPolicyPath(kAntGoalReachingPolicy)), checked to fit.
absl::StatusOr<learners::TanhGaussianPolicy> LoadAntGoalReachingPolicy();

// NotFoundError (listing the antmaze tasks) for another task; InvalidArgumentError for rows <= 0;
// the policy file's error when it is missing.
absl::StatusOr<data::D4rlFile> GenerateAntMazeDataset(absl::string_view task,
                                                      const GeneratorOptions& options);

// The same recipe with another goal-reaching policy. Deterministic in options.seed; a smaller
// dataset is a prefix of a larger one.
absl::StatusOr<data::D4rlFile> GenerateAntMazeRollouts(absl::string_view task,
                                                       learners::TanhGaussianPolicy policy,
                                                       const GeneratorOptions& options);

// What a dataset holds, for the docs beside what D4RL's files are known to hold.
struct AntMazeDatasetStats {
  int64_t rows = 0;
  int64_t episodes = 0;             // started episodes (the last may be cut)
  int64_t successful_episodes = 0;  // with at least one reward
  int64_t rewarded_rows = 0;
  double mean_episode_length = 0;
  int64_t free_cells = 0;
  int64_t visited_free_cells = 0;  // free cells the torso was in at some row
};
absl::StatusOr<AntMazeDatasetStats> MeasureAntMazeDataset(absl::string_view task,
                                                          const data::D4rlFile& file);

// The navigator's success rate in the task's own evaluation episodes (Reset(seed + e), its goal,
// its time limit), as the tests and the docs measure it: the navigator's sampled actions
// + N(0, noise_std^2) (0.2: the datasets' noise); the fraction of `episodes` that reach the goal.
absl::StatusOr<double> NavigatorSuccessRate(absl::string_view task,
                                            learners::TanhGaussianPolicy policy, int episodes,
                                            uint64_t seed, double noise_std);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_ANTMAZE_GENERATOR_H_
