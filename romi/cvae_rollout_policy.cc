// "cvae": ROMI's diverse rollout policy, the conditional VAE G(a | known state). It is the same
// model as BCQ's generative action model (learners/conditional_vae.h), conditioned on s' for
// reverse imagination. Trained with Adam on random minibatches; sampled with the latent clipped.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"
#include "learners/nn/conditional_vae.h"
#include "romi/rollout_policy.h"
#include "romi/rollout_policy_registry.h"
#include "romi/rollout_policy_training.h"

namespace romi {
namespace {

class CvaeRolloutPolicy : public RolloutPolicy {
 public:
  explicit CvaeRolloutPolicy(const RolloutPolicyOptions& options) : options_(options) {
    learners::ConditionalVaeOptions vae;
    vae.condition_dim = options.obs_dim;
    vae.data_dim = options.act_dim;
    vae.max_value = options.max_action;
    if (options.config.hidden_size() > 0) {
      vae.hidden.assign(options.config.hidden().begin(), options.config.hidden().end());
    }
    vae_ = learners::ConditionalVae(vae);
  }

  absl::Status Train(const data::Transitions& data, torch::Generator& generator,
                     const ProgressCallback& progress) override {
    vae_->train();
    ROMI_RETURN_IF_ERROR(TrainOnStateActionPairs(
        data, options_, vae_->parameters(),
        [&](const torch::Tensor& states, const torch::Tensor& actions) {
          return learners::ConditionalVaeImpl::Loss(vae_->forward(states, actions, generator),
                                                    actions);
        },
        generator, progress));
    vae_->eval();
    return absl::OkStatus();
  }

  torch::Tensor Sample(const torch::Tensor& known_states, torch::Generator& generator) override {
    torch::NoGradGuard no_grad;
    return vae_->Sample(known_states, generator);
  }

  absl::Status Save(const std::string& path) const override {
    torch::serialize::OutputArchive archive;
    vae_.ptr()->save(archive);
    return learners::SaveArchive(archive, path);
  }

  absl::Status Load(const std::string& path) override {
    torch::serialize::InputArchive archive;
    ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
    try {
      vae_->load(archive);
      vae_->eval();
    } catch (const c10::Error& error) {
      return absl::DataLossError(absl::StrCat(
          path, ": cannot load the cvae rollout policy: ", error.what_without_backtrace()));
    }
    return absl::OkStatus();
  }

 private:
  RolloutPolicyOptions options_;
  learners::ConditionalVae vae_{nullptr};
};

REGISTER_ROLLOUT_POLICY(
    "cvae",
    [](const RolloutPolicyOptions& options) -> absl::StatusOr<std::unique_ptr<RolloutPolicy>> {
      return std::make_unique<CvaeRolloutPolicy>(options);
    },
    learners::ConditionalVaeOptions().hidden);

}  // namespace
}  // namespace romi
