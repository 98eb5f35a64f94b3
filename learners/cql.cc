#include "learners/cql.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/learner_registry.h"
#include "learners/nn/fused_adam.h"

namespace romi::learners {

torch::Tensor CqlPenalty(const CqlPenaltyInputs& in) {
  const torch::Tensor proposals =
      torch::cat({in.q_random - in.random_log_density, in.q_next_policy - in.log_pi_next,
                  in.q_policy - in.log_pi},
                 2);  // [E, B, 3n]
  const torch::Tensor soft_max =
      in.temperature * torch::logsumexp(proposals / in.temperature, 2).mean(1);
  return soft_max - in.q_data.mean(1);
}

CqlConfig SacAsCql(const SacConfig& sac) {
  CqlConfig config;
  config.mutable_policy_hidden()->CopyFrom(sac.policy_hidden());
  config.mutable_critic_hidden()->CopyFrom(sac.critic_hidden());
  for (auto* hidden : {config.mutable_policy_hidden(), config.mutable_critic_hidden()}) {
    if (hidden->empty()) {
      hidden->Add(256);
      hidden->Add(256);
    }
  }
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

absl::StatusOr<std::unique_ptr<Learner>> Cql::Create(const LearnerOptions& options) {
  return CreateWith(options, options.config.cql());
}

absl::StatusOr<std::unique_ptr<Learner>> Cql::CreateSac(const LearnerOptions& options) {
  return CreateWith(options, SacAsCql(options.config.sac()));
}

absl::StatusOr<std::unique_ptr<Learner>> Cql::CreateWith(const LearnerOptions& options,
                                                         const CqlConfig& config) {
  ROMI_RETURN_IF_ERROR(ValidateLearnerOptions(options));
  if (config.num_sampled_actions() < 1 || !(config.temperature() > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cql needs num_sampled_actions >= 1 and temperature > 0, got ",
                     config.num_sampled_actions(), " and ", config.temperature()));
  }
  return std::unique_ptr<Learner>(new Cql(options, config));
}

Cql::Cql(const LearnerOptions& options, const CqlConfig& config)
    : Learner(options),
      config_(config),
      conservative_(config.min_q_weight() != 0 || config.with_lagrange()),
      target_entropy_(-static_cast<double>(options.act_dim)) {
  const int64_t obs = options.obs_dim;
  const int64_t act = options.act_dim;
  TanhGaussianPolicyOptions policy;
  policy.obs_dim = obs;
  policy.act_dim = act;
  policy.hidden = WidthsOr(config_.policy_hidden(), {256, 256, 256});
  policy.log_std_min = config_.log_std_min();
  policy.log_std_max = config_.log_std_max();
  policy.max_action = options.max_action;
  policy_ = RegisterModule("policy", TanhGaussianPolicy(policy));
  const std::vector<int64_t> critic_hidden = WidthsOr(config_.critic_hidden(), {256, 256, 256});
  critic_ = RegisterModule("critic", EnsembleMlp(2, obs + act, critic_hidden, 1, Activation::kRelu,
                                                 EnsembleInit::kTorchLinear));
  critic_target_ = RegisterTarget(
      "critic",
      EnsembleMlp(2, obs + act, critic_hidden, 1, Activation::kRelu, EnsembleInit::kTorchLinear));
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

Metrics Cql::UpdateImpl(const data::Batch& batch) {
  const torch::Tensor& s = batch.observations;
  const torch::Tensor& a = batch.actions;
  const int64_t b = s.size(0);
  const int64_t n = config_.num_sampled_actions();
  const double max_action = options().max_action;
  Metrics metrics;

  // Policy samples for the critic loss, from the policy before this step's update. The trunk runs
  // once per state; its outputs are repeated to draw n actions per state.
  torch::Tensor next_action, next_log_pi, policy_actions, policy_log_pi;
  {
    torch::NoGradGuard no_grad;
    auto [mean, log_std] = conservative_
                               ? policy_->forward(torch::cat({s, batch.next_observations}, 0))
                               : policy_->forward(batch.next_observations);
    // Rows of s' (the first b rows are at s only when the penalty needs them).
    const int64_t next_rows = conservative_ ? b : 0;
    const PolicySample next =
        policy_->SampleFrom(mean.slice(0, next_rows, next_rows + b),
                            log_std.slice(0, next_rows, next_rows + b), generator());
    next_action = next.action;
    next_log_pi = next.log_prob;
    if (conservative_) {
      const PolicySample repeated = policy_->SampleFrom(
          mean.repeat_interleave(n, 0), log_std.repeat_interleave(n, 0), generator());
      policy_actions = repeated.action;  // rows [0, bn): at s; [bn, 2bn): at s'
      policy_log_pi = repeated.log_prob.view({2, b, n});
    }
  }

  // Entropy temperature, then the policy (the critics it uses are frozen: no weight gradients).
  const PolicySample pi = policy_->Sample(s, generator());
  torch::Tensor alpha = torch::ones({1}, s.options());
  if (log_alpha_.defined()) {
    const torch::Tensor alpha_loss =
        -(log_alpha_ * (pi.log_prob.detach() + target_entropy_)).mean();
    ZeroGrad(*alpha_optimizer_);
    alpha_loss.backward();
    alpha_optimizer_->step();
    alpha = log_alpha_.detach().exp();
  }
  torch::Tensor policy_objective;
  if (step() < config_.bc_warm_start_steps()) {
    policy_objective = policy_->LogProb(s, a);
  } else {
    policy_objective = critic_->FrozenForward(torch::cat({s, pi.action}, 1)).amin(0).squeeze(-1);
  }
  const torch::Tensor policy_loss = (alpha * pi.log_prob - policy_objective).mean();
  ZeroGrad(*policy_optimizer_);
  policy_loss.backward();
  policy_optimizer_->step();

  // Critics: TD error plus the conservative penalty, all Q evaluations in one ensemble pass.
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    torch::Tensor next_q =
        critic_target_->forward(torch::cat({batch.next_observations, next_action}, 1))
            .amin(0)
            .squeeze(-1);
    if (!config_.deterministic_backup()) next_q = next_q - alpha * next_log_pi;
    target = batch.rewards + (1.0 - batch.terminals) * config_.discount() * next_q;
  }
  if (!conservative_) {
    const torch::Tensor q_data = critic_->forward(torch::cat({s, a}, 1)).squeeze(-1);  // [2, b]
    const torch::Tensor td_loss = (q_data - target).square().mean(1).sum();
    ZeroGrad(*critic_optimizer_);
    td_loss.backward();
    critic_optimizer_->step();
    SoftUpdate(*critic_, *critic_target_, config_.tau());
    metrics["critic_loss"] = td_loss.item<double>();
    metrics["td_loss"] = metrics["critic_loss"];
    metrics["policy_loss"] = policy_loss.item<double>();
    metrics["alpha"] = alpha.item<double>();
    metrics["q_data"] = q_data[0].mean().item<double>();
    return metrics;
  }
  const torch::Tensor random_actions =
      at::empty({b * n, a.size(1)}, a.options()).uniform_(-max_action, max_action, generator());
  const torch::Tensor repeated_s = s.repeat_interleave(n, 0);
  const torch::Tensor inputs = torch::cat(
      {torch::cat({s, a}, 1),
       torch::cat({repeated_s.repeat({3, 1}), torch::cat({random_actions, policy_actions}, 0)}, 1)},
      0);
  const torch::Tensor q = critic_->forward(inputs).squeeze(-1);  // [2, b + 3bn]
  const torch::Tensor q_data = q.slice(1, 0, b);
  const torch::Tensor q_sampled = q.slice(1, b).view({2, 3, b, n});
  CqlPenaltyInputs penalty_inputs;
  penalty_inputs.q_data = q_data;
  penalty_inputs.q_random = q_sampled.select(1, 0);
  penalty_inputs.q_policy = q_sampled.select(1, 1);
  penalty_inputs.q_next_policy = q_sampled.select(1, 2);
  penalty_inputs.log_pi = policy_log_pi[0];
  penalty_inputs.log_pi_next = policy_log_pi[1];
  penalty_inputs.random_log_density = -static_cast<double>(a.size(1)) * std::log(2.0 * max_action);
  penalty_inputs.temperature = config_.temperature();
  const torch::Tensor penalty = CqlPenalty(penalty_inputs);  // [2]
  torch::Tensor conservative = config_.min_q_weight() * penalty;
  if (log_alpha_prime_.defined()) {
    const torch::Tensor alpha_prime = log_alpha_prime_.exp().clamp(0.0, 1e6);
    const torch::Tensor gap = conservative.detach() - config_.lagrange_threshold();
    const torch::Tensor alpha_prime_loss = -0.5 * (alpha_prime * gap).sum();
    ZeroGrad(*alpha_prime_optimizer_);
    alpha_prime_loss.backward();
    alpha_prime_optimizer_->step();
    conservative = alpha_prime.detach() * (conservative - config_.lagrange_threshold());
    metrics["alpha_prime"] = alpha_prime.item<double>();
  }
  const torch::Tensor td_loss = (q_data - target).square().mean(1).sum();
  const torch::Tensor critic_loss = td_loss + conservative.sum();
  ZeroGrad(*critic_optimizer_);
  critic_loss.backward();
  critic_optimizer_->step();
  SoftUpdate(*critic_, *critic_target_, config_.tau());

  metrics["critic_loss"] = critic_loss.item<double>();
  metrics["td_loss"] = td_loss.item<double>();
  metrics["cql_penalty"] = penalty.sum().item<double>();
  metrics["policy_loss"] = policy_loss.item<double>();
  metrics["alpha"] = alpha.item<double>();
  metrics["q_data"] = q_data[0].mean().item<double>();
  return metrics;
}

torch::Tensor Cql::ActImpl(const torch::Tensor& observations, bool deterministic) {
  if (deterministic) return policy_->Deterministic(observations);
  return policy_->Sample(observations, act_generator()).action;
}

ROMI_REGISTER_LEARNER("cql", Cql::Create);
ROMI_REGISTER_LEARNER("sac", Cql::CreateSac);

}  // namespace romi::learners
