#include "eval/maze_picture.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"

namespace romi::eval {
namespace {

bool Inside(const std::vector<std::array<double, 4>>& boxes, double x, double y) {
  for (const auto& b : boxes) {
    if (x > b[0] && x < b[2] && y > b[1] && y < b[3]) return true;
  }
  return false;
}

TEST(MazeWallBoxesTest, Maze2dUmazeWallsWhereTheLayoutSays) {
  // "#####\#GOO#\###O#\#OOO#\#####": cell (i, j) is qpos (i, j); its wall box is centred at
  // (i - 0.2, j - 0.2).
  const auto boxes = MazeWallBoxes("maze2d-umaze-v1");
  ASSERT_TRUE(boxes.ok()) << boxes.status();
  EXPECT_EQ(boxes->size(), 25u - 7u);             // 7 free cells
  EXPECT_TRUE(Inside(*boxes, 2 - 0.2, 1 - 0.2));  // (2, 1) is a wall
  EXPECT_FALSE(Inside(*boxes, 1.0, 1.0));         // the goal cell
  EXPECT_FALSE(Inside(*boxes, 3.0, 3.0));         // a free cell
  EXPECT_TRUE(Inside(*boxes, -0.2, -0.2));        // the border
}

TEST(MazeWallBoxesTest, AntUmazeWallsAroundTheStartAndGoal) {
  const auto boxes = MazeWallBoxes("antmaze-umaze-v0");
  ASSERT_TRUE(boxes.ok()) << boxes.status();
  EXPECT_EQ(boxes->size(), 25u - 7u);
  EXPECT_FALSE(Inside(*boxes, 0.0, 0.0));  // the start cell, at the origin
  EXPECT_FALSE(Inside(*boxes, 0.0, 8.0));  // the goal cell
  EXPECT_TRUE(Inside(*boxes, 0.0, 4.0));   // the wall between them
}

TEST(MazeWallBoxesTest, OtherTasksAreNotMazes) {
  EXPECT_FALSE(MazeWallBoxes("hopper-medium-v2").ok());
  EXPECT_TRUE(IsMazeDomain("antmaze"));
  EXPECT_FALSE(IsMazeDomain("hopper"));
}

}  // namespace
}  // namespace romi::eval
