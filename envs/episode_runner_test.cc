#include "envs/episode_runner.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "envs/env.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::envs {
namespace {

// A policy that depends on the observation (so that lockstep bugs show): a_i = clip(0.3 * s_i).
absl::Status Linear(absl::Span<const int64_t> episodes, absl::Span<const double> observations,
                    absl::Span<double> actions, int obs_dim, int act_dim) {
  for (size_t r = 0; r < episodes.size(); ++r) {
    for (int i = 0; i < act_dim; ++i) {
      actions[r * act_dim + i] = std::clamp(0.3 * observations[r * obs_dim + i], -1.0, 1.0);
    }
  }
  return absl::OkStatus();
}

class EpisodeRunnerTest : public ::testing::Test {
 protected:
  // `count` envs of `task`, and the lanes that point at them.
  std::vector<Env*> Lanes(const std::string& task, int count) {
    for (int i = 0; i < count; ++i) owned_.push_back(MakeEnv(task).value());
    std::vector<Env*> lanes;
    for (int i = 0; i < count; ++i) lanes.push_back(owned_[owned_.size() - count + i].get());
    return lanes;
  }
  BatchActFn LinearPolicy(const std::string& task) {
    const EnvSpec spec = FindSpec(task).value();
    return [spec](absl::Span<const int64_t> e, absl::Span<const double> o, absl::Span<double> a) {
      return Linear(e, o, a, spec.obs_dim, spec.act_dim);
    };
  }
  static uint64_t Seed(int64_t episode) { return 100 + 7 * episode; }

  std::vector<std::unique_ptr<Env>> owned_;
};

TEST_F(EpisodeRunnerTest, EpisodesAreTheSameOneAfterAnotherOrSideBySide) {
  const std::string task = "hopper-medium-v2";
  EpisodeRunOptions options;
  options.episodes = 6;
  options.record_states = true;
  const std::vector<EpisodeSummary> sequential =
      RunEpisodes(Lanes(task, 1), Seed, LinearPolicy(task), options).value();
  options.threads = 2;
  const std::vector<EpisodeSummary> three_lanes =
      RunEpisodes(Lanes(task, 3), Seed, LinearPolicy(task), options).value();
  const std::vector<EpisodeSummary> six_lanes =
      RunEpisodes(Lanes(task, 6), Seed, LinearPolicy(task), options).value();
  ASSERT_EQ(sequential.size(), 6u);
  for (const auto* other : {&three_lanes, &six_lanes}) {
    ASSERT_EQ(other->size(), 6u);
    for (int e = 0; e < 6; ++e) {
      EXPECT_EQ((*other)[e].return_sum, sequential[e].return_sum) << "episode " << e;
      EXPECT_EQ((*other)[e].length, sequential[e].length);
      EXPECT_EQ((*other)[e].states, sequential[e].states);
    }
  }
  for (const EpisodeSummary& summary : sequential) {
    EXPECT_GT(summary.length, 0);
    EXPECT_TRUE(summary.terminated || summary.truncated);
    EXPECT_EQ(summary.states.size(), static_cast<size_t>(summary.length + 1) * 11);
  }
}

TEST_F(EpisodeRunnerTest, SeedsAreDrawnInStartOrderAndThePolicySeesWhichEpisodes) {
  const std::string task = "hopper-medium-v2";
  std::vector<int64_t> seeded;
  std::vector<std::vector<int64_t>> batches;
  const BatchActFn linear = LinearPolicy(task);
  EpisodeRunOptions options;
  options.episodes = 5;
  const std::vector<EpisodeSummary> summaries =
      RunEpisodes(
          Lanes(task, 2),
          [&](int64_t episode) {
            seeded.push_back(episode);
            return Seed(episode);
          },
          [&](absl::Span<const int64_t> e, absl::Span<const double> o, absl::Span<double> a) {
            batches.emplace_back(e.begin(), e.end());
            return linear(e, o, a);
          },
          options)
          .value();
  EXPECT_EQ(seeded, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches.front(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(batches.back().size(), 1u);
  int64_t steps = 0;
  for (const auto& batch : batches) steps += static_cast<int64_t>(batch.size());
  int64_t lengths = 0;
  for (const EpisodeSummary& summary : summaries) lengths += summary.length;
  EXPECT_EQ(steps, lengths);
}

TEST_F(EpisodeRunnerTest, MaxStepsCutsTheRunAndHooksSeeEveryStepInOrder) {
  const std::string task = "hopper-medium-v2";
  EpisodeRunOptions options;
  options.episodes = std::numeric_limits<int64_t>::max();
  options.max_steps = 250;
  std::vector<int64_t> before, after;
  std::vector<double> last_next_observation;
  int mismatches = 0;
  EpisodeHooks hooks;
  hooks.before_step = [&](const EpisodeStep& step) {
    before.push_back(step.total);
    EXPECT_EQ(step.result, nullptr);
    // Within an episode, s_t is the previous step's s_t+1.
    if (step.t > 0 && std::vector<double>(step.observation.begin(), step.observation.end()) !=
                          last_next_observation) {
      ++mismatches;
    }
  };
  hooks.after_step = [&](const EpisodeStep& step) -> absl::StatusOr<AfterStep> {
    after.push_back(step.total);
    EXPECT_NE(step.result, nullptr);
    last_next_observation = step.result->observation;
    return AfterStep::kContinue;
  };
  const std::vector<EpisodeSummary> summaries =
      RunEpisodes(Lanes(task, 1), Seed, LinearPolicy(task), options, hooks).value();
  ASSERT_EQ(after.size(), 250u);
  EXPECT_EQ(before, after);
  for (int64_t i = 0; i < 250; ++i) EXPECT_EQ(after[i], i);
  EXPECT_EQ(mismatches, 0);
  int64_t lengths = 0;
  for (const EpisodeSummary& summary : summaries) lengths += summary.length;
  EXPECT_EQ(lengths, 250);
  EXPECT_GT(summaries.size(), 1u);  // the linear policy falls well before 250 steps
}

TEST_F(EpisodeRunnerTest, AHookCanEndAnEpisode) {
  const std::string task = "maze2d-umaze-v1";
  EpisodeRunOptions options;
  options.episodes = 3;
  EpisodeHooks hooks;
  hooks.after_step = [](const EpisodeStep& step) -> absl::StatusOr<AfterStep> {
    return step.t == 4 ? AfterStep::kEndEpisode : AfterStep::kContinue;
  };
  const std::vector<EpisodeSummary> summaries =
      RunEpisodes(Lanes(task, 2), Seed, LinearPolicy(task), options, hooks).value();
  ASSERT_EQ(summaries.size(), 3u);
  for (const EpisodeSummary& summary : summaries) {
    EXPECT_EQ(summary.length, 5);
    EXPECT_FALSE(summary.terminated || summary.truncated);
  }
}

TEST_F(EpisodeRunnerTest, ErrorsNameTheTaskEpisodeAndStepOrPassThrough) {
  const std::string task = "maze2d-umaze-v1";
  EpisodeRunOptions options;
  options.episodes = 2;
  const BatchActFn nan = [](absl::Span<const int64_t>, absl::Span<const double>,
                            absl::Span<double> a) {
    for (double& x : a) x = NAN;
    return absl::OkStatus();
  };
  const absl::Status bad_action = RunEpisodes(Lanes(task, 2), Seed, nan, options).status();
  EXPECT_EQ(bad_action.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_action.message().find("maze2d-umaze-v1 episode 0, step 1"), std::string::npos)
      << bad_action;

  const BatchActFn refusing = [](absl::Span<const int64_t>, absl::Span<const double>,
                                 absl::Span<double>) { return absl::DataLossError("no policy"); };
  EXPECT_EQ(RunEpisodes(Lanes(task, 1), Seed, refusing, options).status(),
            absl::DataLossError("no policy"));
  EpisodeHooks hooks;
  hooks.after_step = [](const EpisodeStep&) -> absl::StatusOr<AfterStep> {
    return absl::CancelledError("stop");
  };
  EXPECT_EQ(RunEpisodes(Lanes(task, 1), Seed, LinearPolicy(task), options, hooks).status(),
            absl::CancelledError("stop"));

  options.episodes = 0;
  EXPECT_EQ(RunEpisodes(Lanes(task, 1), Seed, LinearPolicy(task), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.episodes = 1;
  std::vector<Env*> mixed = Lanes(task, 1);
  mixed.push_back(Lanes("hopper-medium-v2", 1)[0]);
  EXPECT_EQ(RunEpisodes(mixed, Seed, LinearPolicy(task), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunEpisodes({}, Seed, LinearPolicy(task), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::envs
