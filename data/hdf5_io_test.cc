#include "data/hdf5_io.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

using ::testing::HasSubstr;

std::string TestPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(Hdf5IoTest, RoundTripsEveryDtypeAndNestedKeys) {
  const std::string path = TestPath("dtypes.h5");
  const torch::Tensor f32 = torch::arange(6, torch::kFloat32).reshape({2, 3}) / 7;
  const torch::Tensor f64 = torch::arange(4, torch::kFloat64) / 3;
  const torch::Tensor u8 = torch::tensor({0, 1, 255}, torch::kUInt8);
  const torch::Tensor i64 = torch::tensor({-5, 7}, torch::kInt64);
  const torch::Tensor flags = torch::tensor({true, false, true});
  {
    auto writer = Hdf5Writer::Create(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Write("a/b/f32", f32).ok());
    ASSERT_TRUE((*writer)->Write("f64", f64).ok());
    ASSERT_TRUE((*writer)->Write("u8", u8).ok());
    ASSERT_TRUE((*writer)->Write("i64", i64).ok());
    ASSERT_TRUE((*writer)->Write("flags", flags).ok());
    ASSERT_TRUE((*writer)->Write("scalar", torch::tensor(2.5)).ok());
    ASSERT_TRUE((*writer)->WriteString("meta/name", "hopper").ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto reader = Hdf5Reader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<std::string> keys;
  for (const Hdf5KeyInfo& info : (*reader)->keys()) keys.push_back(info.key);
  EXPECT_THAT(
      keys, ::testing::ElementsAre("a/b/f32", "f64", "flags", "i64", "meta/name", "scalar", "u8"));
  EXPECT_EQ((*reader)->Info("a/b/f32")->dtype, "float32");
  EXPECT_EQ((*reader)->Info("a/b/f32")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*reader)->Info("f64")->dtype, "float64");
  EXPECT_EQ((*reader)->Info("u8")->dtype, "uint8");
  EXPECT_EQ((*reader)->Info("i64")->dtype, "int64");
  EXPECT_EQ((*reader)->Info("flags")->dtype, "bool");
  EXPECT_EQ((*reader)->Info("meta/name")->dtype, "string");
  EXPECT_TRUE((*reader)->Info("scalar")->shape.empty());

  EXPECT_TRUE(torch::equal(*(*reader)->ReadFloat("a/b/f32"), f32));
  EXPECT_TRUE(torch::equal(*(*reader)->ReadFloat("f64"), f64.to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal(*(*reader)->ReadFloat("u8"), u8.to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal(*(*reader)->ReadFloat("i64"), i64.to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal(*(*reader)->ReadFloat("flags"), torch::tensor({1.0f, 0.0f, 1.0f})));
  EXPECT_EQ((*reader)->ReadFloat("scalar")->item<float>(), 2.5f);
  EXPECT_EQ(*(*reader)->ReadString("meta/name"), "hopper");
}

TEST(Hdf5IoTest, MissingKeyNamesFileKeyAndKeysPresent) {
  const std::string path = TestPath("one_key.h5");
  {
    auto writer = Hdf5Writer::Create(path);
    ASSERT_TRUE((*writer)->Write("observations", torch::zeros({3, 2})).ok());
  }
  auto reader = Hdf5Reader::Open(path);
  ASSERT_TRUE(reader.ok());
  const absl::Status status = (*reader)->ReadFloat("rewards").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("'rewards'"));
  EXPECT_THAT(status.message(), HasSubstr("observations"));
}

TEST(Hdf5IoTest, WrongKindOfDatasetIsAnError) {
  const std::string path = TestPath("kinds.h5");
  {
    auto writer = Hdf5Writer::Create(path);
    ASSERT_TRUE((*writer)->WriteString("name", "x").ok());
    ASSERT_TRUE((*writer)->Write("numbers", torch::zeros({2})).ok());
  }
  auto reader = Hdf5Reader::Open(path);
  EXPECT_EQ((*reader)->ReadFloat("name").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*reader)->ReadString("numbers").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Hdf5IoTest, MissingFileIsNotFound) {
  const auto reader = Hdf5Reader::Open(TestPath("absent.h5"));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(reader.status().message(), HasSubstr("absent.h5"));
}

TEST(Hdf5IoTest, NonHdf5FileIsDataLoss) {
  const std::string path = TestPath("garbage.h5");
  std::ofstream(path) << "this is not an HDF5 file, just some text";
  const auto reader = Hdf5Reader::Open(path);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(reader.status().message(), HasSubstr(path));
}

TEST(Hdf5IoTest, WriterRejectsUnsupportedTensors) {
  auto writer = Hdf5Writer::Create(TestPath("reject.h5"));
  EXPECT_EQ((*writer)->Write("half", torch::zeros({2}, torch::kFloat16)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->Write("undefined", torch::Tensor()).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Write("x", torch::zeros({2})).ok());
  EXPECT_EQ((*writer)->Write("x", torch::zeros({2})).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->Write("y", torch::zeros({2})).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace romi::data
