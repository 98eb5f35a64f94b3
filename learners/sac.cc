#include "learners/sac.h"

#include "base/status_macros.h"
#include "learners/learner_registry.h"

namespace romi::learners {

CqlConfig SacAsCql(const SacConfig& unresolved) {
  SacConfig sac = unresolved;
  FillDefaultWidths(&sac);
  CqlConfig config;
  config.mutable_policy_hidden()->CopyFrom(sac.policy_hidden());
  config.mutable_critic_hidden()->CopyFrom(sac.critic_hidden());
  config.set_policy_learning_rate(sac.policy_learning_rate());
  config.set_critic_learning_rate(sac.critic_learning_rate());
  config.set_discount(sac.discount());
  config.set_tau(sac.tau());
  config.set_log_std_min(sac.log_std_min());
  config.set_log_std_max(sac.log_std_max());
  config.set_automatic_entropy_tuning(sac.automatic_entropy_tuning());
  config.set_bc_warm_start_steps(0);
  config.set_min_q_weight(0);
  config.set_with_lagrange(false);
  config.set_deterministic_backup(false);
  return config;
}

absl::StatusOr<std::unique_ptr<Learner>> Sac::Create(const LearnerOptions& options) {
  return CreateWith(options, SacAsCql(options.config.sac()));
}

absl::StatusOr<std::unique_ptr<Learner>> Sac::CreateWith(const LearnerOptions& options,
                                                         const CqlConfig& config) {
  ROMI_RETURN_IF_ERROR(ValidateLearnerOptions(options));
  return std::unique_ptr<Learner>(new Sac(options, config));
}

Metrics Sac::UpdateImpl(const data::Batch& batch) {
  const torch::Tensor& s = batch.observations;
  const torch::Tensor& a = batch.actions;
  PolicySample next;  // a' ~ pi(s') for the backup, from the policy before this step's update
  {
    torch::NoGradGuard no_grad;
    auto [mean, log_std] = policy_->forward(batch.next_observations);
    next = policy_->SampleFrom(mean, log_std, generator());
  }
  const PolicySample pi = policy_->Sample(s, generator());
  const torch::Tensor alpha = UpdateTemperature(pi.log_prob);
  const torch::Tensor policy_loss = UpdatePolicy(s, a, pi, alpha);
  const torch::Tensor target = TdTarget(batch, next.action, next.log_prob, alpha);
  const torch::Tensor q_data = critic_->forward(torch::cat({s, a}, 1)).squeeze(-1);  // [2, b]
  const torch::Tensor td_loss = TdLoss(q_data, target);
  UpdateCritics(td_loss);
  return CommonMetrics(td_loss, td_loss, policy_loss, alpha, q_data);
}

ROMI_REGISTER_LEARNER("sac", Sac::Create);

}  // namespace romi::learners
