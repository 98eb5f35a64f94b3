// "reverse-bc": the paper's ablation (Eq. 4) of the diverse rollout policy: a tanh-Gaussian
// policy pi(a | known state) fitted by maximum likelihood (2 x 256 relu, log-std in [-20, 2]),
// sampled stochastically. Unlike the CVAE it is unimodal, which is the point of the ablation.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"
#include "learners/nn/tanh_gaussian.h"
#include "romi/rollout_policy.h"
#include "romi/rollout_policy_registry.h"
#include "romi/rollout_policy_training.h"

namespace romi {
namespace {

class ReverseBcRolloutPolicy : public RolloutPolicy {
 public:
  explicit ReverseBcRolloutPolicy(const RolloutPolicyOptions& options) : options_(options) {
    learners::TanhGaussianPolicyOptions policy;
    policy.obs_dim = options.obs_dim;
    policy.act_dim = options.act_dim;
    policy.max_action = options.max_action;
    if (options.config.hidden_size() > 0) {
      policy.hidden.assign(options.config.hidden().begin(), options.config.hidden().end());
    }
    policy_ = learners::TanhGaussianPolicy(policy);
  }

  absl::Status Train(const data::Transitions& data, torch::Generator& generator,
                     const ProgressCallback& progress) override {
    return TrainOnStateActionPairs(
        data, options_, policy_->parameters(),
        [&](const torch::Tensor& states, const torch::Tensor& actions) {
          return -policy_->LogProb(states, actions).mean();
        },
        generator, progress);
  }

  torch::Tensor Sample(const torch::Tensor& known_states, torch::Generator& generator) override {
    torch::NoGradGuard no_grad;
    return policy_->Sample(known_states, generator).action;
  }

  absl::Status Save(const std::string& path) const override {
    torch::serialize::OutputArchive archive;
    policy_.ptr()->save(archive);
    return learners::SaveArchive(archive, path);
  }

  absl::Status Load(const std::string& path) override {
    torch::serialize::InputArchive archive;
    ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
    try {
      policy_->load(archive);
    } catch (const c10::Error& error) {
      return absl::DataLossError(absl::StrCat(
          path, ": cannot load the reverse-bc policy: ", error.what_without_backtrace()));
    }
    return absl::OkStatus();
  }

 private:
  RolloutPolicyOptions options_;
  learners::TanhGaussianPolicy policy_{nullptr};
};

REGISTER_ROLLOUT_POLICY(
    "reverse-bc",
    [](const RolloutPolicyOptions& options) -> absl::StatusOr<std::unique_ptr<RolloutPolicy>> {
      return std::make_unique<ReverseBcRolloutPolicy>(options);
    },
    learners::TanhGaussianPolicyOptions().hidden);

}  // namespace
}  // namespace romi
