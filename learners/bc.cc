#include "learners/bc.h"

#include "base/status_macros.h"
#include "learners/learner_registry.h"
#include "learners/nn/fused_adam.h"

namespace romi::learners {

absl::StatusOr<std::unique_ptr<Learner>> Bc::Create(const LearnerOptions& options) {
  ROMI_RETURN_IF_ERROR(ValidateLearnerOptions(options));
  return std::unique_ptr<Learner>(new Bc(options));
}

Bc::Bc(const LearnerOptions& options) : Learner(options) {
  const BcConfig& config = options.config.bc();
  TanhGaussianPolicyOptions policy;
  policy.obs_dim = options.obs_dim;
  policy.act_dim = options.act_dim;
  policy.hidden = WidthsOf(config.hidden());
  policy.log_std_min = config.log_std_min();
  policy.log_std_max = config.log_std_max();
  policy.max_action = options.max_action;
  policy_ = RegisterModule("policy", TanhGaussianPolicy(policy));
  MoveToDevice();
  optimizer_ = std::make_unique<FusedAdam>(policy_->parameters(),
                                           torch::optim::AdamOptions(config.learning_rate()));
  RegisterOptimizer("policy", optimizer_.get());
}

Metrics Bc::UpdateImpl(const data::Batch& batch) {
  const torch::Tensor loss = -policy_->LogProb(batch.observations, batch.actions).mean();
  ZeroGrad(*optimizer_);
  loss.backward();
  optimizer_->step();
  return {{"bc_loss", loss.item<double>()}};
}

torch::Tensor Bc::ActImpl(const torch::Tensor& observations, bool deterministic) {
  if (deterministic) return policy_->Deterministic(observations);
  return policy_->Sample(observations, act_generator()).action;
}

ROMI_REGISTER_LEARNER("bc", Bc::Create);

}  // namespace romi::learners
