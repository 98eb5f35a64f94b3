#include "data/d4rl_file.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "data/hdf5_io.h"
#include "data/synthetic.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

using ::testing::HasSubstr;

std::string TestPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

// Writes the given keys with the raw writer, so tests can build files d4rl_file would never write.
void WriteRaw(const std::string& path, const std::map<std::string, torch::Tensor>& arrays) {
  auto writer = Hdf5Writer::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (const auto& [key, tensor] : arrays) ASSERT_TRUE((*writer)->Write(key, tensor).ok()) << key;
  ASSERT_TRUE((*writer)->Close().ok());
}

std::map<std::string, torch::Tensor> ValidArrays(int64_t rows) {
  return {{"observations", torch::rand({rows, 3})},
          {"actions", torch::rand({rows, 2})},
          {"rewards", torch::rand({rows})},
          {"terminals", torch::zeros({rows}, torch::kBool)},
          {"timeouts", torch::zeros({rows}, torch::kBool)}};
}

// Expects reading `path` to fail with `code`, naming the file, the key and the shape.
void ExpectReadError(const std::string& path, absl::StatusCode code, const std::string& key,
                     const std::string& shape) {
  const absl::Status status = ReadD4rlFile(path).status();
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(status.message(), HasSubstr(path));
  if (!key.empty()) {
    EXPECT_THAT(status.message(), HasSubstr("'" + key + "'"));
  }
  if (!shape.empty()) {
    EXPECT_THAT(status.message(), HasSubstr(shape));
  }
}

TEST(D4rlFileTest, WriteReadRoundTripKeepsEveryArray) {
  const std::string path = TestPath("roundtrip.hdf5");
  D4rlFile original = MakePointMassDataset(500, 50, 7);
  original.metadata["policy/fc0/weight"] = torch::rand({4, 3}, torch::kFloat64);
  ASSERT_TRUE(WriteD4rlFile(path, original).ok());

  const absl::StatusOr<D4rlFile> read = ReadD4rlFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(torch::equal(read->observations, original.observations));
  EXPECT_TRUE(torch::equal(read->actions, original.actions));
  EXPECT_TRUE(torch::equal(read->rewards, original.rewards));
  EXPECT_TRUE(torch::equal(read->terminals, original.terminals));
  EXPECT_TRUE(torch::equal(read->timeouts, original.timeouts));
  EXPECT_TRUE(torch::equal(read->next_observations, original.next_observations));
  ASSERT_EQ(read->infos.size(), 3u);
  EXPECT_TRUE(torch::equal(read->infos.at("qpos"), original.infos.at("qpos")));
  EXPECT_TRUE(torch::equal(read->infos.at("goal"), original.infos.at("goal")));
  EXPECT_TRUE(torch::allclose(read->metadata.at("policy/fc0/weight"),
                              original.metadata.at("policy/fc0/weight").to(torch::kFloat32)));
  EXPECT_EQ(read->metadata_strings.at("algorithm"), original.metadata_strings.at("algorithm"));
  // Flags are stored as h5py booleans, as in D4RL's own files.
  EXPECT_EQ((*Hdf5Reader::Open(path))->Info("terminals")->dtype, "bool");
  EXPECT_EQ((*Hdf5Reader::Open(path))->Info("timeouts")->dtype, "bool");
}

TEST(D4rlFileTest, WriteIsAtomicAndLeavesNoTemporary) {
  const std::string path = TestPath("atomic/out.hdf5");
  ASSERT_TRUE(WriteD4rlFile(path, MakePointMassDataset(10, 5, 0)).ok());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TestPath("atomic"))) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "out.hdf5");
  }
  EXPECT_EQ(files, 1);
}

TEST(D4rlFileTest, AcceptsFloat64DataAndUint8OrFloatFlagsWithoutTimeouts) {
  const std::string path = TestPath("old_style.hdf5");
  WriteRaw(path, {{"observations", torch::rand({6, 3}, torch::kFloat64)},
                  {"actions", torch::rand({6, 2}, torch::kFloat64)},
                  {"rewards", torch::rand({6, 1}, torch::kFloat64)},
                  {"terminals", torch::tensor({0, 0, 1, 0, 0, 0}, torch::kUInt8)},
                  {"infos/goal", torch::zeros({6, 2}, torch::kFloat64)}});
  const absl::StatusOr<D4rlFile> read = ReadD4rlFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->observations.scalar_type(), torch::kFloat32);
  EXPECT_EQ(read->rewards.sizes(), (std::vector<int64_t>{6}));
  EXPECT_TRUE(torch::equal(read->terminals, torch::tensor({0.f, 0.f, 1.f, 0.f, 0.f, 0.f})));
  EXPECT_FALSE(read->timeouts.defined());

  const std::string float_flags = TestPath("float_flags.hdf5");
  auto arrays = ValidArrays(4);
  arrays["terminals"] = torch::tensor({0.0, 1.0, 0.0, 0.0}, torch::kFloat64);
  WriteRaw(float_flags, arrays);
  ASSERT_TRUE(ReadD4rlFile(float_flags).ok());
}

TEST(D4rlFileTest, MissingFile) {
  ExpectReadError(TestPath("no_such.hdf5"), absl::StatusCode::kNotFound, "", "");
}

TEST(D4rlFileTest, MissingKey) {
  const std::string path = TestPath("missing_key.hdf5");
  auto arrays = ValidArrays(5);
  arrays.erase("actions");
  WriteRaw(path, arrays);
  ExpectReadError(path, absl::StatusCode::kNotFound, "actions", "");
}

TEST(D4rlFileTest, MismatchedLengths) {
  const std::string path = TestPath("lengths.hdf5");
  auto arrays = ValidArrays(5);
  arrays["rewards"] = torch::rand({4});
  WriteRaw(path, arrays);
  ExpectReadError(path, absl::StatusCode::kInvalidArgument, "rewards", "[4]");
}

TEST(D4rlFileTest, WrongRank) {
  const std::string path = TestPath("rank.hdf5");
  auto arrays = ValidArrays(5);
  arrays["actions"] = torch::rand({5});
  WriteRaw(path, arrays);
  ExpectReadError(path, absl::StatusCode::kInvalidArgument, "actions", "[5]");

  const std::string obs_path = TestPath("rank_obs.hdf5");
  arrays = ValidArrays(5);
  arrays["observations"] = torch::rand({5, 3, 2});
  WriteRaw(obs_path, arrays);
  ExpectReadError(obs_path, absl::StatusCode::kInvalidArgument, "observations", "[5, 3, 2]");
}

TEST(D4rlFileTest, NanAndInfValues) {
  const std::string nan_path = TestPath("nan.hdf5");
  auto arrays = ValidArrays(5);
  arrays["observations"][3][1] = std::numeric_limits<float>::quiet_NaN();
  WriteRaw(nan_path, arrays);
  ExpectReadError(nan_path, absl::StatusCode::kInvalidArgument, "observations", "[5, 3]");
  EXPECT_THAT(ReadD4rlFile(nan_path).status().message(), HasSubstr("row 3"));

  const std::string inf_path = TestPath("inf.hdf5");
  arrays = ValidArrays(5);
  arrays["rewards"][0] = std::numeric_limits<float>::infinity();
  WriteRaw(inf_path, arrays);
  ExpectReadError(inf_path, absl::StatusCode::kInvalidArgument, "rewards", "[5]");
}

TEST(D4rlFileTest, FlagsMustBeZeroOrOne) {
  const std::string path = TestPath("flags.hdf5");
  auto arrays = ValidArrays(5);
  arrays["timeouts"] = torch::tensor({0, 0, 2, 0, 0}, torch::kUInt8);
  WriteRaw(path, arrays);
  ExpectReadError(path, absl::StatusCode::kInvalidArgument, "timeouts", "[5]");
}

TEST(D4rlFileTest, EmptyDataset) {
  const std::string path = TestPath("empty.hdf5");
  WriteRaw(path, ValidArrays(0));
  ExpectReadError(path, absl::StatusCode::kInvalidArgument, "observations", "[0, 3]");
}

TEST(D4rlFileTest, TruncatedFile) {
  const std::string good = TestPath("good.hdf5");
  ASSERT_TRUE(WriteD4rlFile(good, MakePointMassDataset(2000, 100, 0)).ok());
  const std::string path = TestPath("truncated.hdf5");
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  ExpectReadError(path, absl::StatusCode::kDataLoss, "", "");
}

TEST(D4rlFileTest, CorruptFile) {
  const std::string good = TestPath("good2.hdf5");
  ASSERT_TRUE(WriteD4rlFile(good, MakePointMassDataset(2000, 100, 0)).ok());
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Overwrite the superblock and object headers after the signature.
  for (size_t i = 8; i < 2048 && i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);
  const std::string path = TestPath("corrupt.hdf5");
  std::ofstream(path, std::ios::binary) << bytes;
  ExpectReadError(path, absl::StatusCode::kDataLoss, "", "");
}

TEST(D4rlFileTest, WriterValidatesBeforeWriting) {
  D4rlFile file = MakePointMassDataset(10, 5, 0);
  file.actions = torch::rand({9, 2});
  const std::string path = TestPath("invalid_out.hdf5");
  const absl::Status status = WriteD4rlFile(path, file);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'actions'"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace romi::data
