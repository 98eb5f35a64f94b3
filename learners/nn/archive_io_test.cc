#include "learners/nn/archive_io.h"

#include <torch/csrc/jit/serialization/pickle.h>

#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::learners {
namespace {

using ::testing::HasSubstr;

// A pickle as LibTorch writes one: a dict of strings, numbers, tuples and lists (no tensors).
std::string TorchPickle() {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("name", std::string("a fairly long string to make the pickle longer"));
  dict.insert("sizes", c10::List<int64_t>({1, 2, 3, 400000}));
  dict.insert("pair", c10::ivalue::Tuple::create({1.5, true}));
  for (int i = 0; i < 300; ++i) dict.insert("key" + std::to_string(i), i);  // > 256 memo entries
  const std::vector<char> bytes = torch::jit::pickle(dict);
  return std::string(bytes.begin(), bytes.end());
}

absl::Status Check(const std::string& pickle) {
  return CheckPickle(pickle, "model.pt", "archive/data.pkl");
}

TEST(CheckPickleTest, AcceptsWhatLibTorchWrites) {
  const std::string pickle = TorchPickle();
  // It uses 4-byte memo indices (LONG_BINPUT, 'r'), so those are walked too.
  ASSERT_NE(pickle.find('r'), std::string::npos);
  EXPECT_TRUE(Check(pickle).ok()) << Check(pickle);
}

TEST(CheckPickleTest, RefusesAMemoIndexThePickleCannotHaveMade) {
  // PROTO 2, EMPTY_DICT, LONG_BINPUT 0x60000000 (LibTorch would reserve 1.6e9 memo entries).
  const std::string pickle("\x80\x02}r\x00\x00\x00\x60.", 9);
  const absl::Status status = Check(pickle);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("model.pt"));
  EXPECT_THAT(status.message(), HasSubstr("archive/data.pkl at byte 3: memo index 1610612736"));
}

TEST(CheckPickleTest, RefusesALengthBeyondThePickle) {
  // BINUNICODE of 0xfffffff0 bytes (LibTorch would allocate and zero-fill 4 GiB), then 3 bytes.
  const std::string pickle(
      "\x80\x02X\xf0\xff\xff\xff"
      "abc.",
      11);
  const absl::Status status = Check(pickle);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("an argument of 4294967280 bytes with 4 left"));
}

TEST(CheckPickleTest, RefusesUnknownOpcodesTruncationAndAMissingStop) {
  EXPECT_THAT(Check(std::string("\x80\x02\xff.", 4)).message(),
              HasSubstr("opcode 255 is not in the pickle protocol"));
  EXPECT_THAT(Check(std::string("\x80\x02J\x01\x02", 5)).message(), HasSubstr("the pickle ends"));
  EXPECT_THAT(Check(std::string("\x80\x02}", 3)).message(), HasSubstr("ends without STOP"));
  EXPECT_THAT(Check(std::string("\x80\x02I123", 6)).message(),
              HasSubstr("a text argument never ends"));
  // Every truncation of a real pickle is refused, none crashes.
  const std::string pickle = TorchPickle();
  for (size_t length = 0; length + 1 < pickle.size(); ++length) {
    EXPECT_EQ(Check(pickle.substr(0, length)).code(), absl::StatusCode::kDataLoss) << length;
  }
}

// The archives our writers make still load (the check runs inside LoadArchive).
TEST(CheckPickleTest, SavedArchivesStillLoad) {
  torch::serialize::OutputArchive out;
  out.write("weights", torch::randn({300, 7}));
  out.write("step", torch::tensor(int64_t{12}));
  torch::serialize::OutputArchive inner;
  inner.write("betas", c10::IValue(c10::ivalue::Tuple::create({0.9, 0.999})));
  out.write("optimizer", inner);
  const std::string path = ::testing::TempDir() + "/archive_io_test.pt";
  ASSERT_TRUE(SaveArchive(out, path).ok());
  torch::serialize::InputArchive in;
  const absl::Status loaded = LoadArchive(path, in);
  ASSERT_TRUE(loaded.ok()) << loaded;
  torch::Tensor weights;
  EXPECT_TRUE(ReadTensor(in, "weights", path, weights).ok());
  EXPECT_EQ(weights.sizes(), (std::vector<int64_t>{300, 7}));
}

}  // namespace
}  // namespace romi::learners
