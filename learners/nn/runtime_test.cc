#include "learners/nn/runtime.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

TEST(ProfileOpsTest, TablesSelfTimePerUnitAndWritesTheTrace) {
  const std::string path = ::testing::TempDir() + "/profile.json";
  const torch::Tensor a = torch::randn({64, 64});
  int calls = 0;
  absl::StatusOr<std::string> table = ProfileOps(path, 4, 10, [&] {
    ++calls;
    for (int i = 0; i < 4; ++i) {
      torch::Tensor product = torch::mm(a, a).relu();
      (void)product;
    }
  });
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(calls, 2);  // a warm-up pass and the kept one
  // mm ran 4 times in the kept pass: 1 call per unit of the 4.
  std::istringstream lines(*table);
  std::string line;
  bool found_mm = false;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name, share;
    double calls_per_unit = 0;
    fields >> name >> share >> calls_per_unit;
    if (name == "aten::mm") {
      found_mm = true;
      EXPECT_DOUBLE_EQ(calls_per_unit, 1.0) << line;
    }
  }
  EXPECT_TRUE(found_mm) << *table;
  EXPECT_NE(table->find("all ops, summed over threads"), std::string::npos);
  std::ifstream trace(path);
  std::stringstream contents;
  contents << trace.rdbuf();
  EXPECT_NE(contents.str().find("aten::mm"), std::string::npos);
}

TEST(ProfileOpsTest, BadArgumentsAndUnwritableTracesAreErrors) {
  EXPECT_EQ(ProfileOps(::testing::TempDir() + "/p.json", 0, 5, [] {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::StatusOr<std::string> unwritable =
      ProfileOps("/nonexistent-dir/trace.json", 1, 5, [] { torch::ones({2}).sum(); });
  EXPECT_EQ(unwritable.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(std::string(unwritable.status().message()).find("/nonexistent-dir/trace.json"),
            std::string::npos);
}

TEST(MedianTest, MiddleValueOrMeanOfTheMiddleTwo) {
  EXPECT_DOUBLE_EQ(Median({3.0}), 3.0);
  EXPECT_DOUBLE_EQ(Median({5.0, 1.0, 4.0}), 4.0);
  EXPECT_DOUBLE_EQ(Median({4.0, 1.0, 3.0, 2.0}), 2.5);
}

}  // namespace
}  // namespace romi::learners
