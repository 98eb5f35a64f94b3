#include "data/minari.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "data/dataset.h"
#include "data/hdf5_io.h"
#include "data/minari_fuzz_input.h"
#include "data/synthetic.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string TestDir(const std::string& name) {
  return (fs::path(std::getenv("TEST_TMPDIR")) / name).string();
}

void ExpectSameTensor(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined()) << what;
  ASSERT_TRUE(b.defined()) << what;
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(torch::equal(a.to(torch::kFloat32), b.to(torch::kFloat32))) << what;
}

TEST(MinariTest, RoundTripWithNextObservationsIsIdentical) {
  // Point-mass episodes end by timeouts every 50 steps; two more end by termination.
  D4rlFile file = MakePointMassDataset(1234, 50, 7);
  file.terminals[120] = 1.0f;
  file.terminals[777] = 1.0f;
  ASSERT_GT(file.timeouts.sum().item<float>(), 0.0f);
  const std::string dir = MinariDataDir(TestDir("root"), "romi/pointmass/random-v0");
  MinariWriteOptions options;
  options.dataset_id = "romi/pointmass/random-v0";
  ASSERT_TRUE(WriteMinariDataset(dir, file, options).ok());

  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectSameTensor(read->observations, file.observations, "observations");
  ExpectSameTensor(read->next_observations, file.next_observations, "next_observations");
  ExpectSameTensor(read->actions, file.actions, "actions");
  ExpectSameTensor(read->rewards, file.rewards, "rewards");
  ExpectSameTensor(read->terminals, file.terminals, "terminals");
  ExpectSameTensor(read->timeouts, file.timeouts, "timeouts");
  ASSERT_EQ(read->infos.size(), file.infos.size());
  for (const auto& [key, values] : file.infos) ExpectSameTensor(read->infos.at(key), values, key);
  EXPECT_EQ(read->metadata_strings.at("minari_dataset_id"), "romi/pointmass/random-v0");

  // Writing again replaces the dataset as a whole.
  const D4rlFile smaller = MakePointMassDataset(100, 50, 8);
  ASSERT_TRUE(WriteMinariDataset(dir, smaller, options).ok());
  const absl::StatusOr<D4rlFile> replaced = ReadMinariDataset(dir);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  ExpectSameTensor(replaced->observations, smaller.observations, "replaced observations");
  for (const auto& entry : fs::directory_iterator(fs::path(dir).parent_path())) {
    EXPECT_EQ(entry.path().filename(), "data") << "left behind: " << entry.path();
  }
}

TEST(MinariTest, StreamWithoutNextObservationsGivesTheSameTransitions) {
  // maze2d's layout: one continuing stream, timeouts where a goal was reached, no next
  // observations: the row after an episode's last is its final observation.
  D4rlFile file = MakePointMassDataset(600, 40, 3);
  file.next_observations = torch::Tensor();
  file.terminals.zero_();
  const std::string dir = MinariDataDir(TestDir("stream"), "romi/pointmass/stream-v0");
  MinariWriteOptions options;
  options.dataset_id = "romi/pointmass/stream-v0";
  ASSERT_TRUE(WriteMinariDataset(dir, file, options).ok());
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), file.size() - 1);
  ExpectSameTensor(read->observations, file.observations.narrow(0, 0, 599), "observations");
  ExpectSameTensor(read->next_observations, file.observations.narrow(0, 1, 599), "next");

  // d4rl's qlearning_dataset sees the same transitions either way, but for the last: in D4RL's
  // row layout the final row of the read file has no successor row and is dropped.
  const absl::StatusOr<Dataset> original = Dataset::FromD4rlFile(file, {}, "original");
  const absl::StatusOr<Dataset> minari = Dataset::FromD4rlFile(*read, {}, "minari");
  ASSERT_TRUE(original.ok()) << original.status();
  ASSERT_TRUE(minari.ok()) << minari.status();
  const int64_t n = minari->size();
  ASSERT_EQ(original->size(), n + 1);
  for (const auto& [name, a, b] :
       {std::tuple<const char*, torch::Tensor, torch::Tensor>{"observations",
                                                              minari->transitions().observations,
                                                              original->transitions().observations},
        {"next_observations", minari->transitions().next_observations,
         original->transitions().next_observations},
        {"actions", minari->transitions().actions, original->transitions().actions},
        {"rewards", minari->transitions().rewards, original->transitions().rewards}}) {
    ExpectSameTensor(a, b.narrow(0, 0, n), name);
  }
  EXPECT_EQ(minari->num_episodes(), original->num_episodes());
}

// A dataset in Minari's exact layout, written the way Minari's HDF5 storage writes it: pointmaze's
// Dict observations in float64, the reset's infos too (T + 1 rows), h5py ints as attributes,
// Python's json with infinite bounds.
class MinariFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MinariDataDir(TestDir(::testing::UnitTest::GetInstance()->current_test_info()->name()),
                         "D4RL/pointmaze/umaze-v2");
    ASSERT_TRUE(CreateDirectories(dir_).ok());
    metadata_ = {
        {"total_episodes", "3"},
        {"total_steps", "9"},
        {"data_format", "\"hdf5\""},
        {"dataset_id", "\"D4RL/pointmaze/umaze-v2\""},
        {"minari_version", "\"0.4.3\""},
        {"observation_space",
         Quote(R"({"type": "Dict", "subspaces": {"observation": {"type": "Box", "dtype": )"
               R"("float64", "shape": [4], "low": [-Infinity, -Infinity, -Infinity, -Infinity], )"
               R"("high": [Infinity, Infinity, Infinity, Infinity]}, "achieved_goal": {"type": )"
               R"("Box", "dtype": "float64", "shape": [2], "low": [-Infinity, -Infinity], "high": )"
               R"([Infinity, Infinity]}, "desired_goal": {"type": "Box", "dtype": "float64", )"
               R"("shape": [2], "low": [-Infinity, -Infinity], "high": [Infinity, Infinity]}}})")},
        {"action_space",
         Quote(R"({"type": "Box", "dtype": "float32", "shape": [2], "low": [-1.0, -1.0], )"
               R"("high": [1.0, 1.0]})")},
    };
    // Episode e has steps_[e] steps; step t's value encodes (episode, row, column).
    for (int e = 0; e < 3; ++e) {
      const int64_t steps = steps_[e];
      const std::string group = absl::StrCat("episode_", e);
      const auto values = [&](int64_t rows, int64_t cols, double tag) {
        return torch::arange(rows * cols, torch::kFloat64).reshape({rows, cols}) + 100 * e + tag;
      };
      arrays_[group + "/observations/achieved_goal"] = values(steps + 1, 2, 0.25);
      arrays_[group + "/observations/desired_goal"] = values(steps + 1, 2, 0.5);
      arrays_[group + "/observations/observation"] = values(steps + 1, 4, 0.75);
      arrays_[group + "/actions"] = values(steps, 2, 0.125).to(torch::kFloat32);
      arrays_[group + "/rewards"] = torch::full({steps}, e + 1.0, torch::kFloat64);
      arrays_[group + "/terminations"] = torch::zeros({steps}, torch::kBool);
      torch::Tensor truncations = torch::zeros({steps}, torch::kBool);
      truncations[steps - 1] = true;  // cut at the reached goal, the last one by the time limit
      arrays_[group + "/truncations"] = truncations;
      arrays_[group + "/infos/success"] = torch::arange(steps + 1, torch::kFloat64) + 10 * e;
      arrays_[group + "/infos/qpos"] = values(steps + 1, 2, 0.0);
      attributes_[group] = {{"id", e}, {"total_steps", steps}, {"seed", 42 + e}};
    }
  }

  static std::string Quote(const std::string& json) {
    std::string out = "\"";
    for (char c : json) {
      if (c == '"') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  void Write() {
    std::string json = "{";
    for (const auto& [key, value] : metadata_) {
      if (json.size() > 1) json += ", ";
      absl::StrAppend(&json, "\"", key, "\": ", value);
    }
    ASSERT_TRUE(WriteStringAtomically(dir_ + "/metadata.json", json + "}").ok());
    auto writer = Hdf5Writer::Create(dir_ + "/main_data.hdf5");
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (const auto& [group, attributes] : attributes_) {
      for (const auto& [name, value] : attributes) {
        ASSERT_TRUE((*writer)->WriteIntAttribute(group, name, value).ok());
      }
    }
    for (const auto& [key, tensor] : arrays_) {
      ASSERT_TRUE((*writer)->Write(key, tensor).ok()) << key;
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }

  // Expects reading to fail with `code`, with every one of `parts` in the message.
  void ExpectError(absl::StatusCode code, const std::vector<std::string>& parts) {
    Write();
    const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), code) << read.status();
    for (const std::string& part : parts) {
      EXPECT_THAT(std::string(read.status().message()), HasSubstr(part));
    }
  }

  std::string dir_;
  const int64_t steps_[3] = {3, 5, 1};
  std::map<std::string, std::string> metadata_;
  std::map<std::string, torch::Tensor> arrays_;
  std::map<std::string, std::map<std::string, int64_t>> attributes_;
};

TEST_F(MinariFixture, ReadsDictObservationsFlattenedInSortedKeyOrder) {
  Write();
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 9);
  ASSERT_EQ(read->observations.sizes(), (std::vector<int64_t>{9, 8}));
  // Row 4 is episode 1's step 1: achieved_goal, desired_goal, observation.
  const auto row = [&](const std::string& key, int64_t t) {
    return arrays_.at("episode_1/observations/" + key)[t].to(torch::kFloat32);
  };
  ExpectSameTensor(
      read->observations[4],
      torch::cat({row("achieved_goal", 1), row("desired_goal", 1), row("observation", 1)}),
      "flattened row");
  // The last step of an episode has the episode's own final observation as its successor.
  ExpectSameTensor(
      read->next_observations[7],
      torch::cat({row("achieved_goal", 5), row("desired_goal", 5), row("observation", 5)}),
      "final observation");
  ExpectSameTensor(read->timeouts, torch::tensor({0, 0, 1, 0, 0, 0, 0, 1, 1}, torch::kFloat32),
                   "timeouts");
  EXPECT_EQ(read->terminals.sum().item<float>(), 0.0f);
  ExpectSameTensor(read->rewards, torch::tensor({1, 1, 1, 2, 2, 2, 2, 2, 3}, torch::kFloat32),
                   "rewards");
  // Infos: the first T of the T + 1 rows (the state each action was taken in).
  ExpectSameTensor(read->infos.at("success"),
                   torch::tensor({0, 1, 2, 10, 11, 12, 13, 14, 20}, torch::kFloat32), "success");
  EXPECT_EQ(read->infos.at("qpos").sizes(), (std::vector<int64_t>{9, 2}));
}

TEST_F(MinariFixture, SelectedObservationKeysKeepTheirOrder) {
  Write();
  MinariReadOptions options;
  options.observation_keys = {"observation", "desired_goal"};
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_, options);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->observations.size(1), 6);
  ExpectSameTensor(read->observations[0],
                   torch::cat({arrays_.at("episode_0/observations/observation")[0],
                               arrays_.at("episode_0/observations/desired_goal")[0]})
                       .to(torch::kFloat32),
                   "selected row");
  options.observation_keys = {"velocity"};
  const absl::StatusOr<D4rlFile> unknown = ReadMinariDataset(dir_, options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("no observation key 'velocity'"));
}

TEST_F(MinariFixture, AnEpisodeEndingWithoutAFlagIsTruncatedButTheLastIsLeftOpen) {
  arrays_["episode_0/truncations"] = torch::zeros({3}, torch::kBool);
  arrays_["episode_2/truncations"] = torch::zeros({1}, torch::kBool);
  Write();
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_);
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectSameTensor(read->timeouts, torch::tensor({0, 0, 1, 0, 0, 0, 0, 1, 0}, torch::kFloat32),
                   "timeouts");
}

TEST_F(MinariFixture, MissingFilesAndGroups) {
  Write();
  fs::remove(dir_ + "/metadata.json");
  const absl::StatusOr<D4rlFile> no_metadata = ReadMinariDataset(dir_);
  ASSERT_FALSE(no_metadata.ok());
  EXPECT_THAT(std::string(no_metadata.status().message()), HasSubstr("metadata.json"));

  const absl::StatusOr<D4rlFile> no_dir = ReadMinariDataset(dir_ + "/nowhere");
  EXPECT_EQ(no_dir.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MinariFixture, MissingEpisodeGroup) {
  for (const char* key :
       {"observations/achieved_goal", "observations/desired_goal", "observations/observation",
        "actions", "rewards", "terminations", "truncations", "infos/success", "infos/qpos"}) {
    arrays_.erase(absl::StrCat("episode_1/", key));
  }
  attributes_.erase("episode_1");
  ExpectError(absl::StatusCode::kInvalidArgument, {"main_data.hdf5", "'episode_1' is missing"});
}

TEST_F(MinariFixture, MissingDataset) {
  arrays_.erase("episode_2/truncations");
  ExpectError(absl::StatusCode::kNotFound, {"main_data.hdf5", "episode_2/truncations"});
}

TEST_F(MinariFixture, RaggedEpisode) {
  arrays_["episode_1/actions"] = torch::zeros({4, 2});
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"main_data.hdf5", "episode_1/actions", "[4, 2]", "ragged"});
}

TEST_F(MinariFixture, RaggedDictObservation) {
  arrays_["episode_0/observations/desired_goal"] = torch::zeros({3, 2}, torch::kFloat64);
  ExpectError(absl::StatusCode::kInvalidArgument, {"episode_0/observations", "ragged"});
}

TEST_F(MinariFixture, ObservationsMustBeOneMoreThanSteps) {
  for (const char* key : {"achieved_goal", "desired_goal", "observation"}) {
    const std::string name = absl::StrCat("episode_1/observations/", key);
    arrays_[name] = arrays_[name].narrow(0, 0, 5);
  }
  ExpectError(absl::StatusCode::kInvalidArgument, {"episode 1", "5 rows for 5 steps", "T + 1"});
}

TEST_F(MinariFixture, ObservationShapeMustMatchTheSpace) {
  arrays_["episode_0/observations/observation"] = torch::zeros({4, 3}, torch::kFloat64);
  ExpectError(absl::StatusCode::kInvalidArgument,
              {"episode_0/observations/observation", "[4, 3]", "as the space says"});
}

TEST_F(MinariFixture, UnknownSpace) {
  metadata_["action_space"] = Quote(R"({"type": "Discrete", "dtype": "int64", "n": 4})");
  ExpectError(absl::StatusCode::kUnimplemented, {"metadata.json", "action_space", "'Discrete'"});
}

TEST_F(MinariFixture, UnsupportedVersionAndFormat) {
  metadata_["minari_version"] = "\"9.0.0\"";
  ExpectError(absl::StatusCode::kUnimplemented, {"metadata.json", "minari_version '9.0.0'"});
  metadata_["minari_version"] = "\"0.5.3\"";
  metadata_["data_format"] = "\"arrow\"";
  ExpectError(absl::StatusCode::kUnimplemented, {"metadata.json", "data_format 'arrow'"});
}

TEST_F(MinariFixture, CountsMustAgreeWithTheMetadata) {
  metadata_["total_steps"] = "10";
  ExpectError(absl::StatusCode::kInvalidArgument, {"total_steps is 10", "holds 9"});
}

TEST_F(MinariFixture, TotalStepsAttributeMustAgree) {
  attributes_["episode_1"]["total_steps"] = 6;
  ExpectError(absl::StatusCode::kInvalidArgument, {"episode 1", "total_steps is 6"});
}

TEST_F(MinariFixture, NotJson) {
  Write();
  ASSERT_TRUE(WriteStringAtomically(dir_ + "/metadata.json", "{\"total_steps\": ").ok());
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("not a JSON object"));
}

TEST_F(MinariFixture, CorruptDataFile) {
  Write();
  ASSERT_TRUE(WriteStringAtomically(dir_ + "/main_data.hdf5", "not hdf5 at all").ok());
  const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("main_data.hdf5"));
}

// The fuzzer's committed seeds are datasets the reader accepts, so fuzzing starts deep inside it.
TEST(MinariFuzzSeedsTest, SeedsReadAsDatasets) {
  for (const char* seed : {"seed-box", "seed-dict"}) {
    std::ifstream in(absl::StrCat("data/testdata/minari_fuzzer/", seed), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty()) << seed;
    const std::string dir = TestDir(seed);
    ASSERT_TRUE(CreateDirectories(dir).ok());
    ASSERT_TRUE(
        WriteMinariFuzzInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), dir));
    const absl::StatusOr<D4rlFile> read = ReadMinariDataset(dir);
    ASSERT_TRUE(read.ok()) << seed << ": " << read.status();
    EXPECT_EQ(read->size(), 5) << seed;
  }
}

TEST(MinariRootTest, FlagThenEnvironmentThenHome) {
  EXPECT_EQ(MinariRoot("/data/minari"), "/data/minari");
  setenv("MINARI_DATASETS_PATH", "/env/minari", 1);
  EXPECT_EQ(MinariRoot(""), "/env/minari");
  unsetenv("MINARI_DATASETS_PATH");
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(MinariRoot(""), "/home/someone/.minari/datasets");
  EXPECT_EQ(MinariDataDir("/r", "D4RL/pointmaze/umaze-v2"), "/r/D4RL/pointmaze/umaze-v2/data");
}

}  // namespace
}  // namespace romi::data
