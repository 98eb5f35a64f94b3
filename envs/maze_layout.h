// A maze's grid (layout parsing), and maze2d's cell <-> coordinate conversion and MJCF.
//
// A layout is D4RL's string, rows top to bottom separated by '\' (or newlines): '#' wall,
// 'O' (or ' ', '0') free, 'G' goal, 'R' the robot's start, a free cell (D4RL locomotion's RESET
// marker: antmaze places its walls around it, ant_maze_geometry.h; maze2d layouts have none).
// Cell (i, j) is (row, column).
//
// Coordinates: the particle body sits at world (1.2, 1.2), so qpos = world - 1.2, and D4RL's
// convention is that cell (i, j) *is* qpos (i, j) (targets, resets and planners all use it). The
// wall box of cell (i, j) is centred at world (i + 1, j + 1), i.e. qpos (i - 0.2, j - 0.2): the
// 0.2 offset is D4RL's quirk, kept because the datasets were recorded with it.
#ifndef ROMI_ENVS_MAZE_LAYOUT_H_
#define ROMI_ENVS_MAZE_LAYOUT_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romi::envs {

// D4RL's layouts.
inline constexpr char kUMazeLayout[] = "#####\\#GOO#\\###O#\\#OOO#\\#####";
inline constexpr char kMediumMazeLayout[] =
    "########\\#OO##OO#\\#OO#OOO#\\##OOO###\\#OO#OOO#\\#O#OO#O#\\#OOO#OG#\\########";
inline constexpr char kLargeMazeLayout[] =
    "############\\#OOOO#OOOOO#\\#O##O#O#O#O#\\#OOOOOO#OOO#\\#O####O###O#\\#OO#O#OOOOO#"
    "\\##O#O#O#O###\\#OO#OOO#OGO#\\############";

// World position of the particle body when qpos = 0.
inline constexpr double kParticleOffset = 1.2;

struct Cell {
  int row = 0;
  int col = 0;
  friend bool operator==(const Cell& a, const Cell& b) { return a.row == b.row && a.col == b.col; }
};

class MazeLayout {
 public:
  // InvalidArgumentError for an empty layout, ragged rows, an unknown character, a count of
  // goal cells other than one, or more than one start cell.
  static absl::StatusOr<MazeLayout> Parse(absl::string_view layout);

  int rows() const { return static_cast<int>(grid_.size()); }
  int cols() const { return static_cast<int>(grid_[0].size()); }
  // Cells outside the grid count as walls, so planners need no bounds checks.
  bool IsWall(Cell cell) const;
  Cell goal() const { return goal_; }
  // The 'R' cell, if the layout marks one.
  std::optional<Cell> start() const { return start_; }
  // Free cells in row-major order followed by the goal: D4RL's empty_and_goal_locations, the
  // reset distribution's support.
  const std::vector<Cell>& open_cells() const { return open_cells_; }
  // The normalized layout, rows separated by '\'.
  std::string ToString() const;

 private:
  MazeLayout() = default;
  std::vector<std::string> grid_;  // '#', 'O', 'G' or 'R'.
  Cell goal_;
  std::optional<Cell> start_;
  std::vector<Cell> open_cells_;
};

// qpos of a cell's nominal point (D4RL's convention: qpos (i, j)).
std::array<double, 2> CellToQpos(Cell cell);
// The cell whose nominal point is nearest to qpos (D4RL rounds the position).
Cell QposToCell(double x, double y);
// World xy of a qpos.
std::array<double, 2> QposToWorld(double x, double y);
// The cell whose wall box would contain world xy (boxes are centred at (i + 1, j + 1)).
Cell WorldToWallCell(double world_x, double world_y);

// D4RL's point-maze MJCF for the layout (spec: D4RL_SPEC.md, "maze2d").
std::string MazeMjcf(const MazeLayout& layout);

}  // namespace romi::envs

#endif  // ROMI_ENVS_MAZE_LAYOUT_H_
