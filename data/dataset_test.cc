#include "data/dataset.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data/synthetic.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Observation i is the row number i itself, so kept rows and successors are easy to read off.
D4rlFile NumberedFile(const std::vector<float>& terminals, const std::vector<float>& timeouts) {
  const int64_t rows = static_cast<int64_t>(terminals.size());
  D4rlFile file;
  file.observations = torch::arange(rows, torch::kFloat32).unsqueeze(1);
  file.actions = torch::zeros({rows, 1});
  file.rewards = torch::arange(rows, torch::kFloat32) * 10;
  file.terminals = torch::tensor(terminals);
  if (!timeouts.empty()) file.timeouts = torch::tensor(timeouts);
  return file;
}

std::vector<float> Column(const torch::Tensor& t) {
  const torch::Tensor flat = t.reshape({-1}).contiguous();
  return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

TEST(DatasetTest, QLearningSemanticsDropTimeoutsKeepTerminalsDropLastRow) {
  //                 row:  0  1  2  3  4  5  6  7
  const D4rlFile file = NumberedFile({0, 0, 0, 0, 1, 0, 0, 0},   // terminal at 4
                                     {0, 0, 1, 0, 0, 0, 0, 0});  // timeout at 2
  const absl::StatusOr<Dataset> data = Dataset::FromD4rlFile(file, DatasetOptions(), "numbered");
  ASSERT_TRUE(data.ok()) << data.status();
  const Transitions& t = data->transitions();
  EXPECT_THAT(Column(t.observations), ElementsAre(0, 1, 3, 4, 5, 6));
  EXPECT_THAT(Column(t.next_observations), ElementsAre(1, 2, 4, 5, 6, 7));
  EXPECT_THAT(Column(t.terminals), ElementsAre(0, 0, 0, 1, 0, 0));
  EXPECT_THAT(Column(t.rewards), ElementsAre(0, 10, 30, 40, 50, 60));
  // Episodes: rows {0, 1} (ended by the timeout), {3, 4} (terminal), {5, 6} (unfinished).
  EXPECT_THAT(data->episode_offsets(), ElementsAre(0, 2, 4, 6));
  EXPECT_THAT(Column(data->episode_returns().to(torch::kFloat32)), ElementsAre(10, 70, 110));
  EXPECT_THAT(Column(data->TransitionEpisodeReturns().to(torch::kFloat32)),
              ElementsAre(10, 10, 70, 70, 110, 110));
  const LoadSummary& s = data->summary();
  EXPECT_EQ(s.file_rows, 8);
  EXPECT_EQ(s.transitions, 6);
  EXPECT_EQ(s.dropped_timeouts, 1);
  EXPECT_EQ(s.dropped_last_row, 1);
  EXPECT_EQ(s.terminals, 1);
  EXPECT_EQ(s.episodes, 3);
  EXPECT_FALSE(s.used_next_observations);
}

TEST(DatasetTest, WithoutTimeoutsCountsStepsLikeD4rl) {
  // max_episode_steps = 3: d4rl treats step count 2 as the final step and skips it. After a
  // terminal it restarts the count at 1 (its off-by-one), so the next final step comes one early.
  //                 row:  0  1  2  3  4  5  6  7  8
  const D4rlFile file = NumberedFile({0, 0, 0, 1, 0, 0, 0, 0, 0}, {});
  DatasetOptions options;
  options.set_max_episode_steps(3);
  const absl::StatusOr<Dataset> data = Dataset::FromD4rlFile(file, options, "no_timeouts");
  ASSERT_TRUE(data.ok()) << data.status();
  // Row 2: count 2 -> skipped. Row 3: count 0, terminal -> kept, count 1. Row 4: count 1 -> kept.
  // Row 5: count 2 -> skipped. Rows 6, 7 kept; row 8 is the last row.
  EXPECT_THAT(Column(data->transitions().observations), ElementsAre(0, 1, 3, 4, 6, 7));
  EXPECT_THAT(Column(data->transitions().next_observations), ElementsAre(1, 2, 4, 5, 7, 8));
  EXPECT_EQ(data->summary().dropped_timeouts, 2);
  EXPECT_TRUE(data->summary().timeouts_from_step_count);
  EXPECT_THAT(data->episode_offsets(), ElementsAre(0, 2, 3, 4, 6));
}

TEST(DatasetTest, WithoutTimeoutsNeedsEpisodeLength) {
  const D4rlFile file = NumberedFile({0, 0, 0}, {});
  const absl::Status status = Dataset::FromD4rlFile(file, DatasetOptions(), "f.hdf5").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("f.hdf5"));
  EXPECT_THAT(status.message(), HasSubstr("max_episode_steps"));
}

TEST(DatasetTest, KeepTimeoutsUsesStoredNextObservations) {
  D4rlFile file = NumberedFile({0, 0, 0, 0, 1, 0}, {0, 0, 1, 0, 0, 0});
  file.next_observations = file.observations + 100;  // distinguishable from obs[i + 1]
  DatasetOptions options;
  options.set_keep_timeouts(true);
  const absl::StatusOr<Dataset> data = Dataset::FromD4rlFile(file, options, "with_next");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_THAT(Column(data->transitions().observations), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(Column(data->transitions().next_observations),
              ElementsAre(100, 101, 102, 103, 104, 105));
  EXPECT_THAT(Column(data->timeouts()), ElementsAre(0, 0, 1, 0, 0, 0));
  EXPECT_THAT(data->episode_offsets(), ElementsAre(0, 3, 5, 6));
  EXPECT_TRUE(data->summary().used_next_observations);
  EXPECT_EQ(data->summary().kept_timeouts, 1);
  EXPECT_EQ(data->summary().dropped_last_row, 0);

  // Without stored next_observations the mode falls back to qlearning semantics, and says so.
  file.next_observations = torch::Tensor();
  const absl::StatusOr<Dataset> fallback = Dataset::FromD4rlFile(file, options, "without_next");
  ASSERT_TRUE(fallback.ok());
  EXPECT_FALSE(fallback->summary().used_next_observations);
  EXPECT_EQ(fallback->size(), 4);
}

TEST(DatasetTest, NoSurvivingTransitionIsAnError) {
  const D4rlFile file = NumberedFile({0, 0}, {1, 0});  // a timeout, then the last row
  const absl::Status status = Dataset::FromD4rlFile(file, DatasetOptions(), "tiny").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("no transition"));
}

TEST(DatasetTest, LoadsAWrittenFileWithSyntheticEpisodes) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/synthetic.hdf5";
  const D4rlFile file = MakePointMassDataset(3000, 100, 3);
  ASSERT_TRUE(WriteD4rlFile(path, file).ok());
  const absl::StatusOr<Dataset> data = Dataset::Load(path, DatasetOptions());
  ASSERT_TRUE(data.ok()) << data.status();
  // Kept: every row that is not a timeout, but the last.
  torch::Tensor kept = file.timeouts == 0;
  kept[-1] = false;
  ASSERT_EQ(data->size(), kept.sum().item<int64_t>());
  EXPECT_TRUE(torch::equal(data->transitions().observations, file.observations.index({kept})));
  // obs[i + 1] is the true successor inside an episode: it equals the stored next_observations.
  EXPECT_TRUE(
      torch::equal(data->transitions().next_observations, file.next_observations.index({kept})));
  EXPECT_NEAR(data->episode_returns().sum().item<double>(),
              data->transitions().rewards.to(torch::kFloat64).sum().item<double>(), 1e-6);
}

}  // namespace
}  // namespace romi::data
