// D4RL antmaze's mazes: the maps, cell <-> world xy, and the MJCF of D4RL's ant among the walls
// (d4rl/locomotion: maze_env.py, assets/ant.xml; not gym's Ant).
//
// Maps are MazeLayout strings (maze_layout.h) written from D4RL's maze_env.py, where 1 is '#',
// 0 is 'O', RESET 'r' is 'R' (the ant's start) and GOAL 'g' is 'G'. The evaluation maps of the
// v0 tasks (U_MAZE_TEST, BIG_MAZE_TEST, HARDEST_MAZE_TEST) mark one goal each; the dataset maps
// (U_MAZE, BIG_MAZE, HARDEST_MAZE) have the same walls and mark the goals D4RL's dataset runs
// drew from (kAnt*DatasetGoals).
//
// Coordinates are world xy, which is the ant's qpos[0..1] (its free joint starts at the origin).
// x runs along columns and y along rows; a cell is 4 x 4 (D4RL's maze_size_scaling) and cell
// (i, j) is centred at (4 (j - j_R), 4 (i - i_R)), so the start cell R is centred at the origin.
// A wall cell is a box of half-size (2, 2, 1) centred at (x, y, 1), D4RL's block of
// maze_height 0.5 scaled by 4.
//
// D4RL's navigation planner (maze_env.py, _xy_to_rowcol) maps a point to the cell
// (int(1 + y / 4), int(1 + x / 4)) instead, half a cell off CellAt's and written for R at (1, 1);
// a dataset generator that reproduces D4RL's waypoints has to use that formula.
#ifndef ROMI_ENVS_ANT_MAZE_GEOMETRY_H_
#define ROMI_ENVS_ANT_MAZE_GEOMETRY_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/maze_layout.h"

namespace romi::envs {

// D4RL's evaluation maps of antmaze-{umaze,medium,large}-v0.
inline constexpr char kAntUMazeLayout[] = "#####\\#ROO#\\###O#\\#GOO#\\#####";
inline constexpr char kAntMediumMazeLayout[] =
    "########\\#RO##OO#\\#OO#OOO#\\##OOO###\\#OO#OOO#\\#O#OO#O#\\#OOO#OG#\\########";
inline constexpr char kAntLargeMazeLayout[] =
    "############\\#ROOO#OOOOO#\\#O##O#O#O#O#\\#OOOOOO#OOO#\\#O####O###O#\\#OO#O#OOOOO#"
    "\\##O#O#O#O###\\#OO#OOO#OGO#\\############";

// The 'g' cells of D4RL's dataset maps (U_MAZE, BIG_MAZE, HARDEST_MAZE), row-major.
inline constexpr Cell kAntUMazeDatasetGoals[] = {{3, 1}};
inline constexpr Cell kAntMediumMazeDatasetGoals[] = {{2, 6}, {5, 1}, {6, 5}};
inline constexpr Cell kAntLargeMazeDatasetGoals[] = {{1, 6}, {3, 5}, {3, 10}, {5, 2},
                                                     {7, 4}, {7, 6}, {7, 9}};

class AntMazeGeometry {
 public:
  static constexpr double kCellSize = 4.0;
  static constexpr double kWallHalfHeight = 1.0;

  // InvalidArgumentError for a layout MazeLayout::Parse rejects or one without a start cell 'R'.
  static absl::StatusOr<AntMazeGeometry> Parse(absl::string_view layout);

  const MazeLayout& layout() const { return layout_; }
  // The centre of a cell (D4RL's _rowcol_to_xy without its noise).
  std::array<double, 2> CellCenter(Cell cell) const;
  // The cell whose square contains (x, y); outside the grid for points beyond it (IsWall: true).
  Cell CellAt(double x, double y) const;

 private:
  explicit AntMazeGeometry(MazeLayout layout);

  MazeLayout layout_;
  Cell start_;
};

// D4RL's ant (spec: D4RL_SPEC.md, "antmaze") in the maze, with one box per wall cell. Bodies and
// geoms are named for the legacy-inertia pass (legacy_inertia.h), which must compile it.
std::string AntMazeMjcf(const AntMazeGeometry& maze);

}  // namespace romi::envs

#endif  // ROMI_ENVS_ANT_MAZE_GEOMETRY_H_
