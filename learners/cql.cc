#include "learners/cql.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/learner_registry.h"
#include "learners/sac.h"

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

absl::StatusOr<std::unique_ptr<Learner>> Cql::Create(const LearnerOptions& options) {
  const CqlConfig& config = options.config.cql();
  if (config.min_q_weight() == 0 && !config.with_lagrange())
    return Sac::CreateWith(options, config);
  ROMI_RETURN_IF_ERROR(ValidateLearnerOptions(options));
  if (config.num_sampled_actions() < 1 || !(config.temperature() > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cql needs num_sampled_actions >= 1 and temperature > 0, got ",
                     config.num_sampled_actions(), " and ", config.temperature()));
  }
  return std::unique_ptr<Learner>(new Cql(options, config));
}

Cql::CriticSamples Cql::SampleForCritics(const data::Batch& batch) {
  torch::NoGradGuard no_grad;
  const int64_t b = batch.observations.size(0);
  const int64_t n = config().num_sampled_actions();
  // The trunk runs once per state; its outputs are repeated to draw n actions per state.
  auto [mean, log_std] =
      policy_->forward(torch::cat({batch.observations, batch.next_observations}, 0));
  CriticSamples samples;
  samples.next =
      policy_->SampleFrom(mean.slice(0, b, 2 * b), log_std.slice(0, b, 2 * b), generator());
  const PolicySample repeated = policy_->SampleFrom(mean.repeat_interleave(n, 0),
                                                    log_std.repeat_interleave(n, 0), generator());
  samples.policy_actions = repeated.action;
  samples.policy_log_pi = repeated.log_prob.view({2, b, n});
  return samples;
}

torch::Tensor Cql::ConservativeTerm(const data::Batch& batch, const CriticSamples& samples,
                                    torch::Tensor* q_data, Metrics* metrics) {
  const torch::Tensor& s = batch.observations;
  const torch::Tensor& a = batch.actions;
  const int64_t b = s.size(0);
  const int64_t n = config().num_sampled_actions();
  const double max_action = options().max_action;
  // All Q evaluations in one ensemble pass: the batch actions, then uniform, pi(s) and pi(s')
  // actions at s.
  const torch::Tensor random_actions =
      at::empty({b * n, a.size(1)}, a.options()).uniform_(-max_action, max_action, generator());
  const torch::Tensor repeated_s = s.repeat_interleave(n, 0);
  const torch::Tensor inputs = torch::cat(
      {torch::cat({s, a}, 1), torch::cat({repeated_s.repeat({3, 1}),
                                          torch::cat({random_actions, samples.policy_actions}, 0)},
                                         1)},
      0);
  const torch::Tensor q = critic_->forward(inputs).squeeze(-1);  // [2, b + 3bn]
  *q_data = q.slice(1, 0, b);
  const torch::Tensor q_sampled = q.slice(1, b).view({2, 3, b, n});
  CqlPenaltyInputs penalty_inputs;
  penalty_inputs.q_data = *q_data;
  penalty_inputs.q_random = q_sampled.select(1, 0);
  penalty_inputs.q_policy = q_sampled.select(1, 1);
  penalty_inputs.q_next_policy = q_sampled.select(1, 2);
  penalty_inputs.log_pi = samples.policy_log_pi[0];
  penalty_inputs.log_pi_next = samples.policy_log_pi[1];
  penalty_inputs.random_log_density = -static_cast<double>(a.size(1)) * std::log(2.0 * max_action);
  penalty_inputs.temperature = config().temperature();
  const torch::Tensor penalty = CqlPenalty(penalty_inputs);  // [2]
  (*metrics)["cql_penalty"] = penalty.sum().item<double>();
  torch::Tensor conservative = config().min_q_weight() * penalty;
  if (log_alpha_prime_.defined()) {
    const torch::Tensor alpha_prime = log_alpha_prime_.exp().clamp(0.0, 1e6);
    const torch::Tensor gap = conservative.detach() - config().lagrange_threshold();
    const torch::Tensor alpha_prime_loss = -0.5 * (alpha_prime * gap).sum();
    ZeroGrad(*alpha_prime_optimizer_);
    alpha_prime_loss.backward();
    alpha_prime_optimizer_->step();
    conservative = alpha_prime.detach() * (conservative - config().lagrange_threshold());
    (*metrics)["alpha_prime"] = alpha_prime.item<double>();
  }
  return conservative;
}

Metrics Cql::UpdateImpl(const data::Batch& batch) {
  const CriticSamples samples = SampleForCritics(batch);
  // Entropy temperature, then the policy (the critics it uses are frozen: no weight gradients).
  const PolicySample pi = policy_->Sample(batch.observations, generator());
  const torch::Tensor alpha = UpdateTemperature(pi.log_prob);
  const torch::Tensor policy_loss = UpdatePolicy(batch.observations, batch.actions, pi, alpha);
  // Critics: TD error plus the conservative penalty.
  const torch::Tensor target = TdTarget(batch, samples.next.action, samples.next.log_prob, alpha);
  Metrics penalty_metrics;
  torch::Tensor q_data;
  const torch::Tensor conservative = ConservativeTerm(batch, samples, &q_data, &penalty_metrics);
  const torch::Tensor td_loss = TdLoss(q_data, target);
  const torch::Tensor critic_loss = td_loss + conservative.sum();
  UpdateCritics(critic_loss);
  Metrics metrics = CommonMetrics(critic_loss, td_loss, policy_loss, alpha, q_data);
  metrics.insert(penalty_metrics.begin(), penalty_metrics.end());
  return metrics;
}

ROMI_REGISTER_LEARNER("cql", Cql::Create);

}  // namespace romi::learners
