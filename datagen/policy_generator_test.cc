#include "datagen/policy_generator.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "datagen/online_sac.h"
#include "datagen/policy_file.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

constexpr char kTask[] = "hopper-medium-v2";

learners::TanhGaussianPolicy UntrainedPolicy(uint64_t seed) {
  torch::manual_seed(seed);
  learners::TanhGaussianPolicyOptions options;
  options.obs_dim = 11;
  options.act_dim = 3;
  options.hidden = {32, 32};
  return learners::TanhGaussianPolicy(options);
}

GeneratorOptions Rows(int64_t rows, uint64_t seed) {
  GeneratorOptions options;
  options.rows = rows;
  options.seed = seed;
  return options;
}

TEST(PolicyGeneratorTest, RollsOutAPolicyDeterministicallyInD4rlLayout) {
  learners::TanhGaussianPolicy policy = UntrainedPolicy(1);
  absl::StatusOr<data::D4rlFile> file = GeneratePolicyRollouts(kTask, policy, Rows(600, 5));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(data::ValidateD4rlFile(*file, "generated").ok());
  EXPECT_EQ(file->size(), 600);
  EXPECT_GT(file->terminals.sum().item<double>(), 0);  // an untrained hopper falls
  EXPECT_TRUE(torch::isfinite(file->infos.at("action_log_probs")).all().item<bool>());
  EXPECT_EQ(file->infos.at("qpos").size(1), 6);
  EXPECT_EQ(file->metadata.count("policy/net/linear0/weight"), 1u) << file->metadata.begin()->first;
  // Actions are sampled: not the policy's mean.
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(torch::allclose(file->actions, policy->Deterministic(file->observations)));

  // Same seed: identical; fewer rows: a prefix; another seed: other data.
  const data::D4rlFile again = GeneratePolicyRollouts(kTask, policy, Rows(600, 5)).value();
  EXPECT_TRUE(torch::equal(again.observations, file->observations));
  EXPECT_TRUE(torch::equal(again.actions, file->actions));
  const data::D4rlFile prefix = GeneratePolicyRollouts(kTask, policy, Rows(250, 5)).value();
  EXPECT_TRUE(torch::equal(prefix.actions, file->actions.slice(0, 0, 250)));
  const data::D4rlFile other = GeneratePolicyRollouts(kTask, policy, Rows(250, 6)).value();
  EXPECT_FALSE(torch::equal(other.actions, prefix.actions));

  // The written file reads back, policy weights included.
  const std::string path = (fs::path(::testing::TempDir()) / "policy_rollouts.hdf5").string();
  ASSERT_TRUE(data::WriteD4rlFile(path, *file).ok());
  absl::StatusOr<data::D4rlFile> read = data::ReadD4rlFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(torch::equal(read->metadata.at("policy/net/linear0/weight"),
                           file->metadata.at("policy/net/linear0/weight")));
}

TEST(PolicyGeneratorTest, RejectsAPolicyOfAnotherShape) {
  learners::TanhGaussianPolicy policy = UntrainedPolicy(1);
  const absl::Status status =
      GeneratePolicyRollouts("halfcheetah-medium-v2", policy, Rows(10, 0)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("halfcheetah-medium-v2"), std::string::npos) << status;
}

TEST(PolicyGeneratorTest, MediumExpertConcatenatesTheShippedPolicies) {
  const fs::path dir = fs::path(::testing::TempDir()) / "policies";
  fs::create_directories(dir);
  setenv("ROMI_POLICY_DIR", dir.c_str(), 1);
  const envs::EnvSpec spec = envs::FindSpec(kTask).value();
  // No policy yet: the error says which one is missing.
  const absl::Status missing = GenerateShippedPolicyDataset(kTask, Rows(10, 0)).status();
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("medium behaviour policy"), std::string::npos) << missing;

  learners::SacConfig sac;
  for (const char* level : {"medium", "expert"}) {
    std::unique_ptr<learners::Learner> learner =
        datagen::MakeSacLearner(spec, sac, level[0]).value();
    ASSERT_TRUE(datagen::SavePolicyFile(*learner, "policy", datagen::SacPolicyOptions(spec, sac),
                                        ShippedPolicyPath(absl::StrCat("hopper-", level)))
                    .ok());
  }
  const data::D4rlFile medium = GenerateShippedPolicyDataset(kTask, Rows(100, 3)).value();
  const data::D4rlFile mixed =
      GenerateShippedPolicyDataset("hopper-medium-expert-v2", Rows(200, 3)).value();
  EXPECT_TRUE(data::ValidateD4rlFile(mixed, "medium-expert").ok());
  ASSERT_EQ(mixed.size(), 200);
  EXPECT_TRUE(torch::equal(mixed.actions.slice(0, 0, 100), medium.actions));
  // The medium half's last episode ends where the expert half begins, never joined to it.
  ASSERT_EQ(medium.terminals[99].item<float>() + medium.timeouts[99].item<float>(), 0.0f)
      << "row 99 must be inside an episode for this check";
  EXPECT_EQ(mixed.terminals[99].item<float>() + mixed.timeouts[99].item<float>(), 1.0f);
  EXPECT_TRUE(torch::equal(mixed.timeouts.slice(0, 0, 99), medium.timeouts.slice(0, 0, 99)));
  const data::D4rlFile expert =
      GenerateShippedPolicyDataset("hopper-expert-v2", Rows(100, 4)).value();
  EXPECT_TRUE(torch::equal(mixed.actions.slice(0, 100), expert.actions));
  unsetenv("ROMI_POLICY_DIR");
}

TEST(PolicyGeneratorTest, MediumReplayReRunsTheMediumTraining) {
  const fs::path dir = fs::path(::testing::TempDir()) / "replay_policies";
  fs::create_directories(dir);
  setenv("ROMI_POLICY_DIR", dir.c_str(), 1);
  // A tiny "medium" run: 600 steps, 300 of them random, checkpoints every 250.
  std::ofstream(dir / "manifest.textproto")
      << "policy { name: 'hopper-medium' env: 'hopper' level: 'medium' task: 'hopper-medium-v2' "
         "train_steps: 600 training { seed: 2 random_steps: 300 checkpoint_every: 250 } }";
  const envs::EnvSpec spec = envs::FindSpec(kTask).value();
  std::unique_ptr<learners::Learner> untrained =
      datagen::MakeSacLearner(spec, learners::SacConfig(), 2).value();
  ASSERT_TRUE(datagen::SavePolicyFile(*untrained, "policy",
                                      datagen::SacPolicyOptions(spec, learners::SacConfig()),
                                      ShippedPolicyPath("hopper-medium"))
                  .ok());

  const absl::StatusOr<data::D4rlFile> replay =
      GenerateShippedPolicyDataset("hopper-medium-replay-v2", Rows(500, 0));
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(data::ValidateD4rlFile(*replay, "medium-replay").ok());
  EXPECT_EQ(replay->size(), 500);
  // Random actions first: the uniform box, far from a trained policy's.
  EXPECT_GT(replay->actions.slice(0, 0, 300).abs().mean().item<double>(), 0.4);
  // Episodes end by termination (a beginner hopper falls) or a checkpoint cut (a time-out).
  EXPECT_GT(replay->terminals.sum().item<double>(), 0);
  EXPECT_EQ(replay->timeouts[249].item<float>(), 1.0f);
  // The shipped file here is untrained, so the re-run's policy cannot match it.
  EXPECT_EQ(replay->metadata_strings.at("romi_replay_matches_shipped_policy"), "no");
  // Deterministic in the manifest's seed.
  const data::D4rlFile again =
      GenerateShippedPolicyDataset("hopper-medium-replay-v2", Rows(500, 0)).value();
  EXPECT_TRUE(torch::equal(again.observations, replay->observations));
  EXPECT_TRUE(torch::equal(again.actions, replay->actions));
  // No more rows than the run had.
  EXPECT_EQ(GenerateShippedPolicyDataset("hopper-medium-replay-v2", Rows(601, 0)).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Ship the policy of that very run (trained here with the manifest's settings): now it matches.
  datagen::OnlineSacConfig training;
  training.set_total_steps(600);
  training.set_random_steps(300);
  training.set_checkpoint_every(250);
  training.set_eval_every(600);
  training.set_eval_episodes(1);
  training.set_seed(2);
  const fs::path run = fs::path(::testing::TempDir()) / "replay_original_run";
  fs::remove_all(run);
  ASSERT_TRUE(
      datagen::TrainOnlineSac([] { return envs::MakeEnv(kTask); }, training, run.string()).ok());
  std::unique_ptr<learners::Learner> trained =
      datagen::MakeSacLearner(spec, learners::SacConfig(), 2).value();
  ASSERT_TRUE(trained->Load((run / "learner.pt").string()).ok());
  ASSERT_TRUE(datagen::SavePolicyFile(*trained, "policy",
                                      datagen::SacPolicyOptions(spec, learners::SacConfig()),
                                      ShippedPolicyPath("hopper-medium"))
                  .ok());
  const data::D4rlFile matched =
      GenerateShippedPolicyDataset("hopper-medium-replay-v2", Rows(500, 0)).value();
  EXPECT_TRUE(torch::equal(matched.actions, replay->actions));
  EXPECT_EQ(matched.metadata_strings.at("romi_replay_matches_shipped_policy"), "yes");
  unsetenv("ROMI_POLICY_DIR");
}

}  // namespace
}  // namespace romi::datagen
