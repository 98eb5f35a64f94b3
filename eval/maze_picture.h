// Pictures of the mazes (the paper's Figure 3b-i): per task, one panel per method with the maze's
// walls, a sample of the dataset's states, a sample of the states its model imagined and a few of
// its imagined rollouts (model-based methods: reverse rollouts end in the data, forward ones
// wander), and the paths of its final policy, all in observation dimensions 0 and 1 (the
// position). The points come from each run's
// maze_points.csv and final_paths.csv (suite_runner.cc writes them for maze tasks); the first seed
// with them is drawn.
//
// Files: maze_<task>.dat (one gnuplot block per method and kind), maze_<task>.png (with gnuplot).
#ifndef ROMI_EVAL_MAZE_PICTURE_H_
#define ROMI_EVAL_MAZE_PICTURE_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eval/suite.pb.h"

namespace romi::eval {

// Whether a domain's observations start with the agent's position in a maze.
bool IsMazeDomain(const std::string& domain);

// The wall boxes of a maze task in observation xy: {x_min, y_min, x_max, y_max} each.
// NotFound for a task that is not a maze.
absl::StatusOr<std::vector<std::array<double, 4>>> MazeWallBoxes(const std::string& task);

// Draws every maze task of `results` whose runs wrote maze_points.csv; methods in the order given.
absl::Status DrawMazePictures(const SuiteResults& results, const std::vector<std::string>& methods,
                              const std::string& out_dir);

}  // namespace romi::eval

#endif  // ROMI_EVAL_MAZE_PICTURE_H_
