#include "envs/maze_layout.h"

#include "gtest/gtest.h"

namespace romi::envs {
namespace {

TEST(MazeLayoutTest, ParsesUMaze) {
  const MazeLayout maze = MazeLayout::Parse(kUMazeLayout).value();
  EXPECT_EQ(maze.rows(), 5);
  EXPECT_EQ(maze.cols(), 5);
  EXPECT_EQ(maze.goal(), (Cell{1, 1}));
  EXPECT_TRUE(maze.IsWall({0, 0}));
  EXPECT_TRUE(maze.IsWall({2, 1}));
  EXPECT_FALSE(maze.IsWall({2, 3}));
  EXPECT_TRUE(maze.IsWall({-1, 2}));  // Outside the grid.
  EXPECT_TRUE(maze.IsWall({2, 5}));
  // 6 free cells then the goal, the goal last.
  ASSERT_EQ(maze.open_cells().size(), 7u);
  EXPECT_EQ(maze.open_cells().front(), (Cell{1, 2}));
  EXPECT_EQ(maze.open_cells().back(), (Cell{1, 1}));
  EXPECT_EQ(maze.ToString(), kUMazeLayout);
}

TEST(MazeLayoutTest, GoalsOfMediumAndLarge) {
  const MazeLayout medium = MazeLayout::Parse(kMediumMazeLayout).value();
  EXPECT_EQ(medium.rows(), 8);
  EXPECT_EQ(medium.cols(), 8);
  EXPECT_EQ(medium.goal(), (Cell{6, 6}));
  const MazeLayout large = MazeLayout::Parse(kLargeMazeLayout).value();
  EXPECT_EQ(large.rows(), 9);
  EXPECT_EQ(large.cols(), 12);
  EXPECT_EQ(large.goal(), (Cell{7, 9}));
}

TEST(MazeLayoutTest, AcceptsNewlinesAndSpaces) {
  const MazeLayout maze = MazeLayout::Parse("###\n#G#\n# #\n###\n").value();
  EXPECT_EQ(maze.rows(), 4);
  EXPECT_FALSE(maze.IsWall({2, 1}));
}

TEST(MazeLayoutTest, StartCellIsFree) {
  EXPECT_FALSE(MazeLayout::Parse(kUMazeLayout)->start().has_value());
  const MazeLayout maze = MazeLayout::Parse("####\\#RO#\\##G#\\####").value();
  EXPECT_EQ(maze.start(), (Cell{1, 1}));
  EXPECT_FALSE(maze.IsWall({1, 1}));
  ASSERT_EQ(maze.open_cells().size(), 3u);
  EXPECT_EQ(maze.open_cells().front(), (Cell{1, 1}));
  EXPECT_EQ(maze.ToString(), "####\\#RO#\\##G#\\####");
  EXPECT_EQ(MazeLayout::Parse("####\\#RR#\\#G##\\####").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MazeLayoutTest, RejectsBadLayouts) {
  EXPECT_EQ(MazeLayout::Parse("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MazeLayout::Parse("###\\#G\\###").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MazeLayout::Parse("###\\#X#\\###").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MazeLayout::Parse("####\\#GG#\\####").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MazeLayout::Parse("###\\#O#\\###").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MazeCoordinatesTest, CellQposWorldRoundTrip) {
  EXPECT_EQ(CellToQpos({3, 2}), (std::array<double, 2>{3.0, 2.0}));
  EXPECT_EQ(QposToCell(2.6, 1.4), (Cell{3, 1}));
  EXPECT_EQ(QposToWorld(0.0, 0.0), (std::array<double, 2>{1.2, 1.2}));
  // The wall box of cell (2, 1) spans world [2.5, 3.5] x [1.5, 2.5].
  EXPECT_EQ(WorldToWallCell(2.6, 2.4), (Cell{2, 1}));
  EXPECT_EQ(WorldToWallCell(3.49, 1.51), (Cell{2, 1}));
  // A particle resting at qpos (i, j) is inside the box of cell (i, j).
  const auto world = QposToWorld(3.0, 2.0);
  EXPECT_EQ(WorldToWallCell(world[0], world[1]), (Cell{3, 2}));
}

TEST(MazeMjcfTest, OneBoxPerWallCell) {
  const MazeLayout maze = MazeLayout::Parse(kUMazeLayout).value();
  const std::string mjcf = MazeMjcf(maze);
  EXPECT_NE(mjcf.find("name=\"wall_2_1\" type=\"box\" pos=\"3 2 0\""), std::string::npos);
  EXPECT_EQ(mjcf.find("wall_1_1"), std::string::npos);
}

}  // namespace
}  // namespace romi::envs
