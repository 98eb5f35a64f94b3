#include "learners/soft_actor_critic.h"

#include "learners/nn/fused_adam.h"

namespace romi::learners {

SoftActorCritic::SoftActorCritic(const LearnerOptions& options, const CqlConfig& config)
    : Learner(options), config_(config), target_entropy_(-static_cast<double>(options.act_dim)) {
  const int64_t obs = options.obs_dim;
  const int64_t act = options.act_dim;
  TanhGaussianPolicyOptions policy;
  policy.obs_dim = obs;
  policy.act_dim = act;
  policy.hidden = WidthsOf(config_.policy_hidden());
  policy.log_std_min = config_.log_std_min();
  policy.log_std_max = config_.log_std_max();
  policy.max_action = options.max_action;
  policy_ = RegisterModule("policy", TanhGaussianPolicy(policy));
  const std::vector<int64_t> critic_hidden = WidthsOf(config_.critic_hidden());
  critic_ = RegisterModule("critic", TwinCritics(obs + act, critic_hidden));
  critic_target_ = RegisterTarget("critic", TwinCritics(obs + act, critic_hidden));
  HardUpdate(*critic_, *critic_target_);
  if (config_.automatic_entropy_tuning()) {
    log_alpha_ = RegisterParameter("log_alpha", torch::zeros({1}));
  }
  if (config_.with_lagrange()) {
    log_alpha_prime_ = RegisterParameter("log_alpha_prime", torch::zeros({1}));
  }
  MoveToDevice();
  policy_optimizer_ = std::make_unique<FusedAdam>(
      policy_->parameters(), torch::optim::AdamOptions(config_.policy_learning_rate()));
  critic_optimizer_ = std::make_unique<FusedAdam>(
      critic_->parameters(), torch::optim::AdamOptions(config_.critic_learning_rate()));
  RegisterOptimizer("policy", policy_optimizer_.get());
  RegisterOptimizer("critic", critic_optimizer_.get());
  if (log_alpha_.defined()) {
    alpha_optimizer_ =
        std::make_unique<FusedAdam>(std::vector<torch::Tensor>{log_alpha_},
                                    torch::optim::AdamOptions(config_.policy_learning_rate()));
    RegisterOptimizer("alpha", alpha_optimizer_.get());
  }
  if (log_alpha_prime_.defined()) {
    alpha_prime_optimizer_ =
        std::make_unique<FusedAdam>(std::vector<torch::Tensor>{log_alpha_prime_},
                                    torch::optim::AdamOptions(config_.critic_learning_rate()));
    RegisterOptimizer("alpha_prime", alpha_prime_optimizer_.get());
  }
}

torch::Tensor SoftActorCritic::UpdateTemperature(const torch::Tensor& log_pi) {
  if (!log_alpha_.defined()) return torch::ones({1}, log_pi.options());
  const torch::Tensor alpha_loss = -(log_alpha_ * (log_pi.detach() + target_entropy_)).mean();
  ZeroGrad(*alpha_optimizer_);
  alpha_loss.backward();
  alpha_optimizer_->step();
  return log_alpha_.detach().exp();
}

torch::Tensor SoftActorCritic::UpdatePolicy(const torch::Tensor& s, const torch::Tensor& a,
                                            const PolicySample& pi, const torch::Tensor& alpha) {
  const torch::Tensor objective =
      step() < config_.bc_warm_start_steps()
          ? policy_->LogProb(s, a)
          : critic_->FrozenForward(torch::cat({s, pi.action}, 1)).amin(0).squeeze(-1);
  const torch::Tensor loss = (alpha * pi.log_prob - objective).mean();
  ZeroGrad(*policy_optimizer_);
  loss.backward();
  policy_optimizer_->step();
  return loss;
}

torch::Tensor SoftActorCritic::TdTarget(const data::Batch& batch, const torch::Tensor& next_action,
                                        const torch::Tensor& next_log_pi,
                                        const torch::Tensor& alpha) {
  torch::NoGradGuard no_grad;
  torch::Tensor next_q =
      critic_target_->forward(torch::cat({batch.next_observations, next_action}, 1))
          .amin(0)
          .squeeze(-1);
  if (!config_.deterministic_backup()) next_q = next_q - alpha * next_log_pi;
  return batch.rewards + (1.0 - batch.terminals) * config_.discount() * next_q;
}

torch::Tensor SoftActorCritic::TdLoss(const torch::Tensor& q, const torch::Tensor& target) {
  return (q - target).square().mean(1).sum();
}

void SoftActorCritic::UpdateCritics(const torch::Tensor& loss) {
  ZeroGrad(*critic_optimizer_);
  loss.backward();
  critic_optimizer_->step();
  SoftUpdate(*critic_, *critic_target_, config_.tau());
}

Metrics SoftActorCritic::CommonMetrics(const torch::Tensor& critic_loss,
                                       const torch::Tensor& td_loss,
                                       const torch::Tensor& policy_loss, const torch::Tensor& alpha,
                                       const torch::Tensor& q_data) {
  Metrics metrics;
  metrics["critic_loss"] = critic_loss.item<double>();
  metrics["td_loss"] = td_loss.item<double>();
  metrics["policy_loss"] = policy_loss.item<double>();
  metrics["alpha"] = alpha.item<double>();
  metrics["q_data"] = q_data[0].mean().item<double>();
  return metrics;
}

torch::Tensor SoftActorCritic::ActImpl(const torch::Tensor& observations, bool deterministic) {
  if (deterministic) return policy_->Deterministic(observations);
  return policy_->Sample(observations, act_generator()).action;
}

std::optional<torch::Tensor> SoftActorCritic::ValueImpl(const torch::Tensor& observations,
                                                        const torch::Tensor& actions) {
  return critic_->FrozenMemberForward(torch::cat({observations, actions}, 1), 0).squeeze(-1);
}

}  // namespace romi::learners
