#include "envs/ant_maze_geometry.h"

#include <array>
#include <string>

#include "envs/maze_layout.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

TEST(AntMazeGeometryTest, NeedsAStartCell) {
  const auto maze = AntMazeGeometry::Parse(kUMazeLayout);  // maze2d's: no 'R'.
  EXPECT_EQ(maze.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(maze.status().message().find("'R'"), absl::string_view::npos);
  EXPECT_EQ(AntMazeGeometry::Parse("###\\#X#").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AntMazeGeometryTest, StartAtTheOriginAndD4rlGoalBases) {
  const AntMazeGeometry umaze = AntMazeGeometry::Parse(kAntUMazeLayout).value();
  EXPECT_EQ(umaze.layout().start(), (Cell{1, 1}));
  EXPECT_EQ(umaze.CellCenter({1, 1}), (std::array<double, 2>{0.0, 0.0}));
  // x along columns, y along rows.
  EXPECT_EQ(umaze.CellCenter({1, 3}), (std::array<double, 2>{8.0, 0.0}));
  EXPECT_EQ(umaze.CellCenter({0, 0}), (std::array<double, 2>{-4.0, -4.0}));
  // The goal cells' centres: D4RL's evaluation goals before their noise.
  EXPECT_EQ(umaze.CellCenter(umaze.layout().goal()), (std::array<double, 2>{0.0, 8.0}));
  const AntMazeGeometry medium = AntMazeGeometry::Parse(kAntMediumMazeLayout).value();
  EXPECT_EQ(medium.layout().goal(), (Cell{6, 6}));
  EXPECT_EQ(medium.CellCenter(medium.layout().goal()), (std::array<double, 2>{20.0, 20.0}));
  const AntMazeGeometry large = AntMazeGeometry::Parse(kAntLargeMazeLayout).value();
  EXPECT_EQ(large.layout().goal(), (Cell{7, 9}));
  EXPECT_EQ(large.CellCenter(large.layout().goal()), (std::array<double, 2>{32.0, 24.0}));
}

TEST(AntMazeGeometryTest, WallsAreMaze2dsWalls) {
  // D4RL's locomotion and maze2d maps share their walls; only the markers differ.
  const MazeLayout umaze = AntMazeGeometry::Parse(kAntUMazeLayout)->layout();
  const MazeLayout medium = AntMazeGeometry::Parse(kAntMediumMazeLayout)->layout();
  const MazeLayout large = AntMazeGeometry::Parse(kAntLargeMazeLayout)->layout();
  EXPECT_EQ(medium.rows(), 8);
  EXPECT_EQ(medium.cols(), 8);
  EXPECT_EQ(large.rows(), 9);
  EXPECT_EQ(large.cols(), 12);
  const MazeLayout maze2d_umaze = MazeLayout::Parse(kUMazeLayout).value();
  const MazeLayout maze2d_medium = MazeLayout::Parse(kMediumMazeLayout).value();
  const MazeLayout maze2d_large = MazeLayout::Parse(kLargeMazeLayout).value();
  for (int i = 0; i < 9; ++i) {
    for (int j = 0; j < 12; ++j) {
      EXPECT_EQ(umaze.IsWall({i, j}), maze2d_umaze.IsWall({i, j})) << i << "," << j;
      EXPECT_EQ(medium.IsWall({i, j}), maze2d_medium.IsWall({i, j})) << i << "," << j;
      EXPECT_EQ(large.IsWall({i, j}), maze2d_large.IsWall({i, j})) << i << "," << j;
    }
  }
  // The U-maze's ant starts where maze2d's goal is and goes to the other end.
  EXPECT_EQ(umaze.start(), maze2d_umaze.goal());
  EXPECT_EQ(umaze.goal(), (Cell{3, 1}));
}

TEST(AntMazeGeometryTest, DatasetGoalsAreFreeCells) {
  const MazeLayout umaze = AntMazeGeometry::Parse(kAntUMazeLayout)->layout();
  const MazeLayout medium = AntMazeGeometry::Parse(kAntMediumMazeLayout)->layout();
  const MazeLayout large = AntMazeGeometry::Parse(kAntLargeMazeLayout)->layout();
  for (const Cell& cell : kAntUMazeDatasetGoals) EXPECT_FALSE(umaze.IsWall(cell));
  for (const Cell& cell : kAntMediumMazeDatasetGoals) EXPECT_FALSE(medium.IsWall(cell));
  for (const Cell& cell : kAntLargeMazeDatasetGoals) EXPECT_FALSE(large.IsWall(cell));
}

TEST(AntMazeGeometryTest, CellAtInvertsCellCenter) {
  const AntMazeGeometry large = AntMazeGeometry::Parse(kAntLargeMazeLayout).value();
  for (int i = 0; i < large.layout().rows(); ++i) {
    for (int j = 0; j < large.layout().cols(); ++j) {
      const std::array<double, 2> c = large.CellCenter({i, j});
      EXPECT_EQ(large.CellAt(c[0], c[1]), (Cell{i, j}));
      EXPECT_EQ(large.CellAt(c[0] + 1.9, c[1] - 1.9), (Cell{i, j}));
    }
  }
  // Cell (1, 1) spans x, y in [-2, 2]; beyond x = 2 is column 2.
  EXPECT_EQ(large.CellAt(2.1, 0.0), (Cell{1, 2}));
  EXPECT_EQ(large.CellAt(0.0, -2.1), (Cell{0, 1}));
  EXPECT_TRUE(large.layout().IsWall(large.CellAt(-10.0, 0.0)));  // Off the grid.
}

TEST(AntMazeMjcfTest, OneBlockPerWallCellAndTheAnt) {
  const AntMazeGeometry umaze = AntMazeGeometry::Parse(kAntUMazeLayout).value();
  const std::string mjcf = AntMazeMjcf(umaze);
  EXPECT_NE(mjcf.find("name=\"wall_0_0\" type=\"box\" pos=\"-4 -4 1\" size=\"2 2 1\""),
            std::string::npos);
  EXPECT_NE(mjcf.find("name=\"wall_2_1\" type=\"box\" pos=\"0 4 1\""), std::string::npos);
  EXPECT_EQ(mjcf.find("wall_1_1"), std::string::npos);  // The start.
  EXPECT_EQ(mjcf.find("wall_3_1"), std::string::npos);  // The goal.
  EXPECT_NE(mjcf.find("timestep=\"0.02\" integrator=\"RK4\""), std::string::npos);
  // D4RL's actuator order starts with leg 4.
  EXPECT_LT(mjcf.find("<motor name=\"hip_4\""), mjcf.find("<motor name=\"hip_1\""));
}

}  // namespace
}  // namespace romi::envs
