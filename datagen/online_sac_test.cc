#include "datagen/online_sac.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "base/test_dirs.h"
#include "base/text_proto.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

// A point on a line: x' = clip(x + 0.2 a, -1, 1), reward -|x'|, 20 steps from x ~ U(-1, 1).
// Random actions score about -10 per episode; walking straight to 0 scores about -1.
class PointEnv : public envs::Env {
 public:
  PointEnv() {
    spec_.task = "point-test";
    spec_.domain = "point";
    spec_.obs_dim = 1;
    spec_.act_dim = 1;
    spec_.action_low = {-1};
    spec_.action_high = {1};
    spec_.max_episode_steps = 20;
    spec_.ref_min_score = -10;
    spec_.ref_max_score = 0;
  }
  const envs::EnvSpec& Spec() const override { return spec_; }
  std::vector<double> Reset(uint64_t seed) override {
    std::mt19937_64 rng(seed);
    x_ = std::uniform_real_distribution<double>(-1, 1)(rng);
    steps_ = 0;
    return {x_};
  }
  absl::StatusOr<envs::StepResult> Step(absl::Span<const double> action) override {
    x_ = std::clamp(x_ + 0.2 * std::clamp(action[0], -1.0, 1.0), -1.0, 1.0);
    ++steps_;
    envs::StepResult result;
    result.observation = {x_};
    result.reward = -std::abs(x_);
    result.truncated = steps_ == spec_.max_episode_steps;
    return result;
  }

 private:
  envs::EnvSpec spec_;
  double x_ = 0;
  int steps_ = 0;
};

MakeEnvFn PointEnvs() {
  return []() -> absl::StatusOr<std::unique_ptr<envs::Env>> {
    return std::unique_ptr<envs::Env>(new PointEnv());
  };
}

OnlineSacConfig TinyConfig() {
  OnlineSacConfig config;
  config.set_total_steps(3000);
  config.set_random_steps(300);
  config.set_batch_size(64);
  config.set_eval_every(500);
  config.set_eval_episodes(10);
  config.set_checkpoint_every(1000);
  config.set_seed(4);
  learners::SacConfig& sac = *config.mutable_sac();
  sac.add_policy_hidden(32);
  sac.add_policy_hidden(32);
  sac.add_critic_hidden(32);
  sac.add_critic_hidden(32);
  sac.set_policy_learning_rate(1e-3);
  sac.set_critic_learning_rate(1e-3);
  sac.set_discount(0.9);
  return config;
}

TEST(OnlineSacTest, LearnsToWalkToTheOriginAndResumesExactly) {
  const OnlineSacConfig config = TinyConfig();
  const fs::path straight = fs::path(FreshTestDir("sac_straight", /*create=*/false));
  OnlineSacHooks print;
  print.log = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  absl::StatusOr<std::vector<OnlineEvaluation>> curve =
      TrainOnlineSac(PointEnvs(), config, straight.string(), print);
  ASSERT_TRUE(curve.ok()) << curve.status();
  ASSERT_EQ(curve->size(), 6u);
  // The first evaluation comes after 500 steps (200 of learning); the last is far better and
  // near the optimum (about -1; random actions give about -10).
  EXPECT_GT(curve->back().return_mean, -3.5);
  EXPECT_GT(curve->back().return_mean, curve->front().return_mean + 1.0);

  // Stopped after the checkpoint at step 1000, then resumed: the same evaluations and the same
  // final checkpoint as the uninterrupted run.
  const fs::path resumed = fs::path(FreshTestDir("sac_resumed", /*create=*/false));
  OnlineSacHooks stop;
  stop.stop_after_checkpoint = 1000;
  EXPECT_EQ(TrainOnlineSac(PointEnvs(), config, resumed.string(), stop).status().code(),
            absl::StatusCode::kCancelled);
  absl::StatusOr<std::vector<OnlineEvaluation>> rest =
      TrainOnlineSac(PointEnvs(), config, resumed.string());
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->size(), curve->size());
  for (size_t i = 0; i < curve->size(); ++i) {
    EXPECT_EQ((*rest)[i].step, (*curve)[i].step);
    EXPECT_EQ((*rest)[i].return_mean, (*curve)[i].return_mean) << "evaluation " << i;
  }
  std::unique_ptr<learners::Learner> a =
      MakeSacLearner(PointEnv().Spec(), config.sac(), config.seed()).value();
  std::unique_ptr<learners::Learner> b =
      MakeSacLearner(PointEnv().Spec(), config.sac(), config.seed()).value();
  ASSERT_TRUE(a->Load((straight / "learner.pt").string()).ok());
  ASSERT_TRUE(b->Load((resumed / "learner.pt").string()).ok());
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(a->parameters()[i], b->parameters()[i])) << "parameter " << i;
  }
}

TEST(OnlineSacTest, RefusesALearnerAndReplayFromDifferentCheckpoints) {
  const OnlineSacConfig config = TinyConfig();
  const fs::path early = fs::path(FreshTestDir("sac_early", /*create=*/false));
  const fs::path late = fs::path(FreshTestDir("sac_late", /*create=*/false));
  OnlineSacHooks stop;
  stop.stop_after_checkpoint = 1000;
  ASSERT_EQ(TrainOnlineSac(PointEnvs(), config, early.string(), stop).status().code(),
            absl::StatusCode::kCancelled);
  stop.stop_after_checkpoint = 2000;
  ASSERT_EQ(TrainOnlineSac(PointEnvs(), config, late.string(), stop).status().code(),
            absl::StatusCode::kCancelled);
  // As if the run died after writing the learner at step 2000 but before the replay buffer.
  fs::copy_file(late / "learner.pt", early / "learner.pt", fs::copy_options::overwrite_existing);
  const absl::Status status = TrainOnlineSac(PointEnvs(), config, early.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("replay.pt"), std::string::npos) << status;
}

TEST(OnlineSacTest, ResumesOnlyWithTheSettingsItStartedWith) {
  OnlineSacConfig config = TinyConfig();
  config.set_total_steps(1000);
  const fs::path dir = fs::path(FreshTestDir("sac_settings", /*create=*/false));
  ASSERT_TRUE(TrainOnlineSac(PointEnvs(), config, dir.string()).ok());
  OnlineSacConfig written;
  ASSERT_TRUE(ReadTextProto((dir / "config.textproto").string(), &written).ok());
  EXPECT_EQ(written.total_steps(), 1000);
  EXPECT_TRUE(written.has_threads());  // resolved: every setting is written

  OnlineSacConfig other_seed = config;
  other_seed.set_seed(5);
  const absl::Status status = TrainOnlineSac(PointEnvs(), other_seed, dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("config.textproto"), std::string::npos) << status;

  // A longer horizon and other evaluations extend the same run.
  OnlineSacConfig longer = config;
  longer.set_total_steps(1500);
  longer.set_eval_episodes(3);
  const absl::StatusOr<std::vector<OnlineEvaluation>> curve =
      TrainOnlineSac(PointEnvs(), longer, dir.string());
  ASSERT_TRUE(curve.ok()) << curve.status();
  EXPECT_EQ(curve->back().step, 1500);
}

TEST(OnlineSacTest, RejectsBadOptions) {
  OnlineSacConfig config = TinyConfig();
  config.set_eval_episodes(0);
  const absl::Status status =
      TrainOnlineSac(PointEnvs(), config,
                     fs::path(FreshTestDir("sac_bad", /*create=*/false)).string())
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("eval_episodes (0)"), std::string::npos) << status;
}

TEST(OnlineSacTest, DeterministicActionsRefusesAPolicyForAnotherEnv) {
  PointEnv env;
  envs::EnvSpec other = env.Spec();
  other.obs_dim = 3;
  learners::TanhGaussianPolicy policy(SacPolicyOptions(other, learners::SacConfig()));
  const absl::StatusOr<ActFn> act = DeterministicActions(policy, env.Spec());
  EXPECT_EQ(act.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(act.status().message().find("3 observations"), std::string::npos) << act.status();
  EXPECT_NE(act.status().message().find("point-test has 1"), std::string::npos) << act.status();

  learners::TanhGaussianPolicy fitting(SacPolicyOptions(env.Spec(), learners::SacConfig()));
  const absl::StatusOr<ActFn> fits = DeterministicActions(fitting, env.Spec());
  ASSERT_TRUE(fits.ok()) << fits.status();
  const std::vector<double> action = (*fits)({0.5});
  ASSERT_EQ(action.size(), 1u);
  EXPECT_LE(std::abs(action[0]), 1.0);
}

}  // namespace
}  // namespace romi::datagen
