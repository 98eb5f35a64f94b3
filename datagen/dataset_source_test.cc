#include "datagen/dataset_source.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "data/d4rl_file.h"
#include "data/synthetic.h"
#include "datagen/dataset_generators.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTask[] = "maze2d-umaze-v1";

class DatasetSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ / "user");
  }

  // Isolated from the machine's own directories and environment variables.
  DatasetRequest Request(int64_t rows, uint64_t seed = 0) const {
    DatasetRequest request;
    request.task = kTask;
    request.rows = rows;
    request.seed = seed;
    request.dataset_dir = (root_ / "user").string();
    request.cache_dir = (root_ / "cache").string();
    request.log_to_stderr = false;
    return request;
  }

  ResolvedDataset Resolve(const DatasetRequest& request) const {
    absl::StatusOr<ResolvedDataset> resolved = ResolveDataset(request);
    EXPECT_TRUE(resolved.ok()) << resolved.status();
    return std::move(resolved).value();
  }

  fs::path root_;
};

TEST_F(DatasetSourceTest, GeneratesOnAMissThenReadsTheCache) {
  const ResolvedDataset first = Resolve(Request(2000));
  EXPECT_EQ(first.origin, DatasetOrigin::kGenerated);
  EXPECT_EQ(first.file.size(), 2000);
  EXPECT_EQ(first.path, *CachedDatasetPath(Request(2000)));
  EXPECT_THAT(first.path, HasSubstr("maze2d-umaze-v1-seed0-rows2000.hdf5"));
  EXPECT_TRUE(fs::is_regular_file(first.path));
  EXPECT_THAT(first.description, HasSubstr("cached at"));

  const ResolvedDataset second = Resolve(Request(2000));
  EXPECT_EQ(second.origin, DatasetOrigin::kCache);
  EXPECT_EQ(second.path, first.path);
  EXPECT_TRUE(torch::equal(second.file.observations, first.file.observations));
  EXPECT_TRUE(torch::equal(second.file.timeouts, first.file.timeouts));
}

// Two processes (here threads: flock locks belong to open files) that miss the cache at once:
// one generates and writes the file, the other waits and reads it.
TEST_F(DatasetSourceTest, ConcurrentMissesGenerateOnce) {
  absl::StatusOr<ResolvedDataset> a, b;
  std::thread other([&] { b = ResolveDataset(Request(2000)); });
  a = ResolveDataset(Request(2000));
  other.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((a->origin == DatasetOrigin::kGenerated) + (b->origin == DatasetOrigin::kGenerated), 1);
  EXPECT_EQ((a->origin == DatasetOrigin::kCache) + (b->origin == DatasetOrigin::kCache), 1);
  EXPECT_TRUE(torch::equal(a->file.observations, b->file.observations));
}

TEST_F(DatasetSourceTest, SeedAndSizeNameDifferentCacheFiles) {
  const ResolvedDataset base = Resolve(Request(1000, 0));
  const ResolvedDataset other_seed = Resolve(Request(1000, 1));
  const ResolvedDataset other_size = Resolve(Request(1500, 0));
  EXPECT_EQ(other_seed.origin, DatasetOrigin::kGenerated);
  EXPECT_EQ(other_size.origin, DatasetOrigin::kGenerated);
  EXPECT_NE(other_seed.path, base.path);
  EXPECT_NE(other_size.path, base.path);
  EXPECT_FALSE(torch::equal(other_seed.file.observations, base.file.observations));
  EXPECT_TRUE(torch::equal(other_size.file.observations.slice(0, 0, 1000), base.file.observations));
}

TEST_F(DatasetSourceTest, PrefersTheUsersD4rlFile) {
  const data::D4rlFile user = data::MakePointMassDataset(300, 100, 9);
  ASSERT_TRUE(data::WriteD4rlFile((root_ / "user" / "maze2d-umaze-v1.hdf5").string(), user).ok());
  const ResolvedDataset all = Resolve(Request(0));
  EXPECT_EQ(all.origin, DatasetOrigin::kUserFile);
  EXPECT_EQ(all.file.size(), 300);
  EXPECT_TRUE(torch::equal(all.file.observations, user.observations));
  EXPECT_THAT(all.description, HasSubstr("user file"));

  const ResolvedDataset cut = Resolve(Request(120));
  EXPECT_EQ(cut.file.size(), 120);
  EXPECT_EQ(cut.file.infos.at("qpos").size(0), 120);

  DatasetRequest generate = Request(500);
  generate.search_user_files = false;
  EXPECT_EQ(Resolve(generate).origin, DatasetOrigin::kGenerated);
}

TEST_F(DatasetSourceTest, ExplicitPathMustExist) {
  DatasetRequest request = Request(0);
  request.path = (root_ / "missing.hdf5").string();
  EXPECT_EQ(ResolveDataset(request).status().code(), absl::StatusCode::kNotFound);

  request.path = (root_ / "user" / "mine.hdf5").string();
  ASSERT_TRUE(data::WriteD4rlFile(request.path, data::MakePointMassDataset(50, 10, 1)).ok());
  EXPECT_EQ(Resolve(request).origin, DatasetOrigin::kUserFile);
}

TEST_F(DatasetSourceTest, UnreadableCachedFileIsRegenerated) {
  const ResolvedDataset first = Resolve(Request(1000));
  std::ofstream(first.path, std::ios::trunc) << "not an hdf5 file";
  const ResolvedDataset again = Resolve(Request(1000));
  EXPECT_EQ(again.origin, DatasetOrigin::kGenerated);
  EXPECT_THAT(again.description, HasSubstr("replaced a bad cached file"));
  EXPECT_TRUE(torch::equal(again.file.observations, first.file.observations));
  EXPECT_EQ(Resolve(Request(1000)).origin, DatasetOrigin::kCache);
}

TEST_F(DatasetSourceTest, CachedFileWithAlteredArraysIsRegenerated) {
  const ResolvedDataset first = Resolve(Request(1000));
  data::D4rlFile altered = first.file;
  altered.rewards = altered.rewards.clone();
  altered.rewards[10] = 0.5f;  // Valid data, metadata intact: only the fingerprint can tell.
  ASSERT_TRUE(data::WriteD4rlFile(first.path, altered).ok());
  const ResolvedDataset again = Resolve(Request(1000));
  EXPECT_EQ(again.origin, DatasetOrigin::kGenerated);
  EXPECT_THAT(again.description, HasSubstr("romi_fingerprint"));
  EXPECT_TRUE(torch::equal(again.file.rewards, first.file.rewards));
}

TEST_F(DatasetSourceTest, CachedFileOfAnotherRecipeIsRegenerated) {
  const ResolvedDataset first = Resolve(Request(1000));
  data::D4rlFile old = first.file;
  old.metadata_strings["romi_recipe"] = "maze2d-waypoint-controller/0";
  ASSERT_TRUE(data::WriteD4rlFile(first.path, old).ok());
  const ResolvedDataset again = Resolve(Request(1000));
  EXPECT_EQ(again.origin, DatasetOrigin::kGenerated);
  EXPECT_THAT(again.description, HasSubstr("romi_recipe"));
}

TEST_F(DatasetSourceTest, NoUserFileAndNoGeneratorIsNotFound) {
  DatasetRequest request = Request(100);
  request.task = "ant-goal-reaching-v0";
  const absl::StatusOr<ResolvedDataset> resolved = ResolveDataset(request);
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(resolved.status().message(), HasSubstr("ant-goal-reaching-v0.hdf5"));
  EXPECT_THAT(resolved.status().message(), HasSubstr("hopper-random-v2"));
  EXPECT_THAT(resolved.status().message(), HasSubstr((root_ / "user").string()));
}

TEST(DatasetSourceDirsTest, DefaultsFollowTheEnvironment) {
  DatasetRequest request;
  setenv("ROMI_DATASET_DIR", "/data/d4rl", 1);
  setenv("HOME", "/home/someone", 1);
  setenv("ROMI_DATASET_CACHE", "/scratch/cache", 1);
  EXPECT_THAT(UserDatasetDirs(request),
              ::testing::ElementsAre("/data/d4rl", "/home/someone/.romi/datasets"));
  EXPECT_EQ(DatasetCacheDir(request), "/scratch/cache");
  unsetenv("ROMI_DATASET_CACHE");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(DatasetCacheDir(request), "/home/someone/.cache/romi/datasets");
  request.rows = 0;
  request.task = "maze2d-medium-v1";
  EXPECT_EQ(*CachedDatasetPath(request),
            "/home/someone/.cache/romi/datasets/maze2d-medium-v1-seed0-rows2000000.hdf5");
}

}  // namespace
}  // namespace romi::datagen
