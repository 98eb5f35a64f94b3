#include "data/fingerprint.h"

#include <cmath>
#include <fstream>

#include "absl/strings/match.h"
#include "base/test_dirs.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

Transitions Table(int64_t rows) {
  const torch::Tensor row = torch::arange(rows, torch::kFloat32);
  return {row.unsqueeze(1).repeat({1, 3}), -row.unsqueeze(1), row * 10, row.unsqueeze(1) + 0.5,
          torch::zeros({rows})};
}

Transitions Copy(const Transitions& table) {
  return {table.observations.clone(), table.actions.clone(), table.rewards.clone(),
          table.next_observations.clone(), table.terminals.clone()};
}

TEST(FingerprintTransitionsTest, EqualTablesAgreeAndAnyChangedValueShapeOrOrderDiffers) {
  const Transitions table = Table(5);
  const std::string fingerprint = FingerprintTransitions(table);
  EXPECT_EQ(FingerprintTransitions(Copy(table)), fingerprint);
  EXPECT_TRUE(absl::StartsWith(fingerprint, "rows 5 ")) << fingerprint;

  Transitions one_value = Copy(table);
  one_value.next_observations[4][0] = std::nextafter(4.5f, 5.f);  // the last bit of one value
  EXPECT_NE(FingerprintTransitions(one_value), fingerprint);

  Transitions reordered = table.Select(torch::tensor({1, 0, 2, 3, 4}, torch::kInt64));
  EXPECT_NE(FingerprintTransitions(reordered), fingerprint);

  Transitions terminal = Copy(table);
  terminal.terminals[2] = 1.f;
  EXPECT_NE(FingerprintTransitions(terminal), fingerprint);

  EXPECT_NE(FingerprintTransitions(table.Slice(0, 4)), fingerprint);
  EXPECT_TRUE(absl::StartsWith(FingerprintTransitions(Transitions{}), "rows 0 "));
}

TEST(FingerprintTransitionsTest, NonContiguousColumnsHashTheirValuesNotTheirStorage) {
  const Transitions table = Table(6);
  Transitions view = table;
  view.observations = table.observations.t().contiguous().t();  // same values, column-major
  ASSERT_FALSE(view.observations.is_contiguous());
  EXPECT_EQ(FingerprintTransitions(view), FingerprintTransitions(table));
}

TEST(FingerprintFileTest, WritesOnceThenAcceptsTheSameDataAndNamesTheFileForOtherData) {
  const std::string path = FreshTestDir("fingerprint") + "/data.fingerprint";
  const Transitions table = Table(8);
  EXPECT_EQ(*ReadFingerprint(path), std::nullopt);
  EXPECT_TRUE(CheckFingerprint(FingerprintOf(table, "first.hdf5"), path).ok());  // no record yet
  ASSERT_TRUE(WriteOrCheckFingerprint(FingerprintOf(table, "first.hdf5"), path).ok());
  const absl::StatusOr<std::optional<DataFingerprint>> recorded = ReadFingerprint(path);
  ASSERT_TRUE(recorded.ok() && recorded->has_value()) << recorded.status();
  EXPECT_EQ((*recorded)->source, "first.hdf5");
  EXPECT_EQ((*recorded)->value, FingerprintTransitions(table));

  // The same content from another source (a cached copy) is the same data; the record stays.
  EXPECT_TRUE(WriteOrCheckFingerprint(FingerprintOf(Copy(table), "cached copy"), path).ok());
  EXPECT_EQ((**ReadFingerprint(path)).source, "first.hdf5");

  Transitions other = Copy(table);
  other.rewards[3] = -1.f;
  const absl::Status status = WriteOrCheckFingerprint(FingerprintOf(other, "second.hdf5"), path);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "first.hdf5")) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "second.hdf5")) << status;

  // WriteFingerprint replaces the record.
  ASSERT_TRUE(WriteFingerprint(FingerprintOf(other, "second.hdf5"), path).ok());
  EXPECT_TRUE(CheckFingerprint(FingerprintOf(other, "x"), path).ok());
}

TEST(FingerprintFileTest, AFileWithoutAFingerprintIsDataLossNamingIt) {
  const std::string path = FreshTestDir("fingerprint_bad") + "/data.fingerprint";
  std::ofstream(path) << "# data: somewhere\n";
  const absl::Status status = CheckFingerprint(FingerprintOf(Table(2), "x"), path);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
}

}  // namespace
}  // namespace romi::data
