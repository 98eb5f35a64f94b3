#include "envs/maze_layout.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace romi::envs {

absl::StatusOr<MazeLayout> MazeLayout::Parse(absl::string_view layout) {
  MazeLayout maze;
  for (absl::string_view line : absl::StrSplit(layout, absl::ByAnyChar("\\\n"))) {
    if (line.empty()) continue;
    std::string row;
    for (char c : line) {
      switch (c) {
        case '#':
          row.push_back('#');
          break;
        case 'O':
        case '0':
        case ' ':
          row.push_back('O');
          break;
        case 'G':
        case 'R':
          row.push_back(c);
          break;
        default:
          return absl::InvalidArgumentError(
              absl::StrFormat("maze layout row %d: unknown character '%c' (expected '#', 'O', ' ', "
                              "'0', 'G' or 'R')",
                              maze.grid_.size(), c));
      }
    }
    if (!maze.grid_.empty() && row.size() != maze.grid_[0].size()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("maze layout row %d has %d cells, row 0 has %d", maze.grid_.size(),
                          row.size(), maze.grid_[0].size()));
    }
    maze.grid_.push_back(std::move(row));
  }
  if (maze.grid_.empty()) return absl::InvalidArgumentError("maze layout is empty");

  std::vector<Cell> goals, starts;
  for (int i = 0; i < maze.rows(); ++i) {
    for (int j = 0; j < maze.cols(); ++j) {
      const char c = maze.grid_[i][j];
      if (c == 'O' || c == 'R') maze.open_cells_.push_back({i, j});
      if (c == 'G') goals.push_back({i, j});
      if (c == 'R') starts.push_back({i, j});
    }
  }
  if (goals.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("maze layout has %d goal cells 'G', expected exactly 1", goals.size()));
  }
  if (starts.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("maze layout has %d start cells 'R', expected at most 1", starts.size()));
  }
  if (!starts.empty()) maze.start_ = starts[0];
  maze.goal_ = goals[0];
  maze.open_cells_.push_back(maze.goal_);
  return maze;
}

bool MazeLayout::IsWall(Cell cell) const {
  if (cell.row < 0 || cell.row >= rows() || cell.col < 0 || cell.col >= cols()) return true;
  return grid_[cell.row][cell.col] == '#';
}

std::string MazeLayout::ToString() const { return absl::StrJoin(grid_, "\\"); }

std::array<double, 2> CellToQpos(Cell cell) { return {double(cell.row), double(cell.col)}; }

Cell QposToCell(double x, double y) {
  return {static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))};
}

std::array<double, 2> QposToWorld(double x, double y) {
  return {x + kParticleOffset, y + kParticleOffset};
}

Cell WorldToWallCell(double world_x, double world_y) {
  return {static_cast<int>(std::floor(world_x - 0.5)), static_cast<int>(std::floor(world_y - 0.5))};
}

std::string MazeMjcf(const MazeLayout& layout) {
  std::string walls;
  for (int i = 0; i < layout.rows(); ++i) {
    for (int j = 0; j < layout.cols(); ++j) {
      if (!layout.IsWall({i, j})) continue;
      absl::StrAppendFormat(&walls,
                            "    <geom name=\"wall_%d_%d\" type=\"box\" pos=\"%d %d 0\" "
                            "size=\"0.5 0.5 0.2\" conaffinity=\"1\"/>\n",
                            i, j, i + 1, j + 1);
    }
  }
  // Point mass in a plane, D4RL's maze_model.point_maze: no gravity, Euler (whose implicit
  // joint damping gives the one-step velocity 0.01 * 100 / (m + 0.01)), unlimited slide joints.
  return absl::StrCat(R"(<mujoco model="point_maze">
  <compiler inertiafromgeom="true" angle="radian" coordinate="local"/>
  <option timestep="0.01" gravity="0 0 0" iterations="20" integrator="Euler"/>
  <default>
    <joint damping="1" limited="false"/>
    <geom friction="0.5 0.1 0.1" density="1000" margin="0.002" condim="1" contype="2"
          conaffinity="1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="40 40 0.25" pos="0 0 -0.1" contype="1"
          conaffinity="0"/>
    <body name="particle" pos="1.2 1.2 0">
      <geom name="particle_geom" type="sphere" size="0.1" contype="1"/>
      <joint name="ball_x" type="slide" pos="0 0 0" axis="1 0 0"/>
      <joint name="ball_y" type="slide" pos="0 0 0" axis="0 1 0"/>
    </body>
)",
                      walls, R"(  </worldbody>
  <actuator>
    <motor joint="ball_x" ctrlrange="-1 1" ctrllimited="true" gear="100"/>
    <motor joint="ball_y" ctrlrange="-1 1" ctrllimited="true" gear="100"/>
  </actuator>
</mujoco>
)");
}

}  // namespace romi::envs
