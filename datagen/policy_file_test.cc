#include "datagen/policy_file.h"

#include <filesystem>
#include <fstream>

#include "datagen/online_sac.h"
#include "envs/registry.h"
#include "gtest/gtest.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

TEST(PolicyFileTest, RoundTripsASacPolicyAndIsSmall) {
  const envs::EnvSpec spec = envs::FindSpec("hopper-medium-v2").value();
  const learners::SacConfig sac;
  std::unique_ptr<learners::Learner> learner = MakeSacLearner(spec, sac, 3).value();
  const std::string path = (fs::path(::testing::TempDir()) / "hopper_policy.pt").string();
  ASSERT_TRUE(SavePolicyFile(*learner, "policy", SacPolicyOptions(spec, sac), path).ok());
  // 2 x 256: about 70k float parameters.
  EXPECT_LT(fs::file_size(path), 400u * 1024);

  absl::StatusOr<learners::TanhGaussianPolicy> policy = LoadPolicyFile(path);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ((*policy)->options().obs_dim, spec.obs_dim);
  EXPECT_EQ((*policy)->options().hidden, (std::vector<int64_t>{256, 256}));
  const torch::Tensor obs = torch::randn({5, spec.obs_dim});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal((*policy)->Deterministic(obs), learner->Act(obs, true)));
}

TEST(PolicyFileTest, NamesTheFileItCannotRead) {
  const std::string path = (fs::path(::testing::TempDir()) / "not_a_policy.pt").string();
  std::ofstream(path) << "garbage";
  const absl::Status status = LoadPolicyFile(path).status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path), std::string::npos) << status;

  const envs::EnvSpec spec = envs::FindSpec("hopper-medium-v2").value();
  std::unique_ptr<learners::Learner> learner =
      MakeSacLearner(spec, learners::SacConfig(), 3).value();
  EXPECT_EQ(
      SavePolicyFile(*learner, "actor", SacPolicyOptions(spec, learners::SacConfig()), path).code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romi::datagen
