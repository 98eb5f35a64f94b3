#include "envs/ant_maze_geometry.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::envs {

absl::StatusOr<AntMazeGeometry> AntMazeGeometry::Parse(absl::string_view layout_text) {
  ROMI_ASSIGN_OR_RETURN(MazeLayout layout, MazeLayout::Parse(layout_text));
  if (!layout.start().has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "antmaze layout '", layout.ToString(), "' has no start cell 'R' to centre the maze on"));
  }
  return AntMazeGeometry(std::move(layout));
}

AntMazeGeometry::AntMazeGeometry(MazeLayout layout)
    : layout_(std::move(layout)), start_(*layout_.start()) {}

std::array<double, 2> AntMazeGeometry::CellCenter(Cell cell) const {
  return {kCellSize * (cell.col - start_.col), kCellSize * (cell.row - start_.row)};
}

Cell AntMazeGeometry::CellAt(double x, double y) const {
  return {start_.row + static_cast<int>(std::lround(y / kCellSize)),
          start_.col + static_cast<int>(std::lround(x / kCellSize))};
}

namespace {

// One of the ant's legs: the direction it points in the xy plane and its ankle hinge.
struct Leg {
  int sx, sy;  // Signs of the leg's x and y direction.
  const char* ankle_axis;
  const char* ankle_range;  // Degrees.
};

// Legs 1..4: front left, front right, back, right back (D4RL's numbering).
constexpr Leg kLegs[] = {
    {1, 1, "-1 1 0", "30 70"},
    {-1, 1, "1 1 0", "-70 -30"},
    {-1, -1, "-1 1 0", "-70 -30"},
    {1, -1, "1 1 0", "30 70"},
};

// Leg k: a capsule from the torso's centre to the hip, the hip hinge about z, a second capsule of
// the same length, the ankle hinge and the ankle capsule, twice as long.
std::string LegMjcf(int k, const Leg& leg) {
  const double x = 0.2 * leg.sx, y = 0.2 * leg.sy;
  return absl::StrFormat(
      R"(      <body name="leg_%1$d">
        <geom name="aux_%1$d_geom" type="capsule" size="0.08" fromto="0 0 0 %2$g %3$g 0"/>
        <body name="aux_%1$d" pos="%2$g %3$g 0">
          <joint name="hip_%1$d" type="hinge" axis="0 0 1" range="-30 30"/>
          <geom name="leg_%1$d_geom" type="capsule" size="0.08" fromto="0 0 0 %2$g %3$g 0"/>
          <body name="foot_%1$d" pos="%2$g %3$g 0">
            <joint name="ankle_%1$d" type="hinge" axis="%4$s" range="%5$s"/>
            <geom name="ankle_%1$d_geom" type="capsule" size="0.08" fromto="0 0 0 %6$g %7$g 0"/>
          </body>
        </body>
      </body>
)",
      k, x, y, leg.ankle_axis, leg.ankle_range, 2 * x, 2 * y);
}

}  // namespace

std::string AntMazeMjcf(const AntMazeGeometry& maze) {
  const MazeLayout& layout = maze.layout();
  std::string walls;
  for (int i = 0; i < layout.rows(); ++i) {
    for (int j = 0; j < layout.cols(); ++j) {
      if (!layout.IsWall({i, j})) continue;
      const std::array<double, 2> center = maze.CellCenter({i, j});
      const double half = AntMazeGeometry::kCellSize / 2;
      absl::StrAppendFormat(&walls,
                            "    <geom name=\"wall_%d_%d\" type=\"box\" pos=\"%g %g %g\" "
                            "size=\"%g %g %g\" contype=\"1\" conaffinity=\"1\"/>\n",
                            i, j, center[0], center[1], AntMazeGeometry::kWallHalfHeight, half,
                            half, AntMazeGeometry::kWallHalfHeight);
    }
  }
  std::string legs;
  for (int k = 0; k < 4; ++k) legs += LegMjcf(k + 1, kLegs[k]);
  // No inertiafromgeom: the legacy-inertia pass supplies MuJoCo 2.0's masses (density 5). The ant
  // collides with the floor and the walls (conaffinity 1) but not with itself (conaffinity 0).
  return absl::StrCat(R"(<mujoco model="ant_maze">
  <compiler angle="degree"/>
  <option timestep="0.02" integrator="RK4"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom condim="3" conaffinity="0" margin="0.01" friction="1 0.5 0.5" solref="0.02 1"
          solimp="0.8 0.8 0.01" density="5"/>
    <motor ctrllimited="true" ctrlrange="-30 30" gear="1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1" condim="3"/>
)",
                      walls, R"(    <body name="torso" pos="0 0 0.75">
      <joint name="root" type="free" limited="false" armature="0" damping="0"/>
      <geom name="torso_geom" type="sphere" size="0.25"/>
)",
                      legs, R"(    </body>
  </worldbody>
  <actuator>
    <motor name="hip_4" joint="hip_4"/>
    <motor name="ankle_4" joint="ankle_4"/>
    <motor name="hip_1" joint="hip_1"/>
    <motor name="ankle_1" joint="ankle_1"/>
    <motor name="hip_2" joint="hip_2"/>
    <motor name="ankle_2" joint="ankle_2"/>
    <motor name="hip_3" joint="hip_3"/>
    <motor name="ankle_3" joint="ankle_3"/>
  </actuator>
</mujoco>
)");
}

}  // namespace romi::envs
