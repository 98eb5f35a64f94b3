// What SAC and CQL share: a tanh-Gaussian policy, twin critics with Polyak-averaged targets, an
// entropy temperature, and the sub-losses built from them. The learners are compositions of these
// (sac.h: the TD loss alone; cql.h: plus the conservative penalty), not branches of one update.
//
// Parameters (CqlConfig in learners/learners.proto; SAC's SacConfig maps onto it, sac.h):
//   policy     tanh-Gaussian, obs -> hidden -> (mean, log_std in [log_std_min, log_std_max])
//   critics    twin [s, a] -> hidden -> 1, one 2-member EnsembleMlp
//   temperature  learned toward entropy -act_dim with automatic_entropy_tuning, else 1
//   backup     r + (1 - done) * discount * (min(Q1', Q2')(s', a' ~ pi(s')) - alpha log pi(a'|s')),
//              without the entropy term with deterministic_backup
//   policy loss  alpha log pi - min(Q1, Q2) (critics frozen); the batch actions' log-likelihood
//              instead of min Q for the first bc_warm_start_steps
// Checkpoint names: modules "policy" and "critic" (target "critic"), parameters "log_alpha" and
// "log_alpha_prime", optimizers "policy", "critic", "alpha", "alpha_prime".
#ifndef ROMI_LEARNERS_SOFT_ACTOR_CRITIC_H_
#define ROMI_LEARNERS_SOFT_ACTOR_CRITIC_H_

#include <torch/torch.h>

#include <memory>

#include "learners/learner.h"
#include "learners/learners.pb.h"
#include "learners/nn/ensemble_linear.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::learners {

class SoftActorCritic : public Learner {
 protected:
  SoftActorCritic(const LearnerOptions& options, const CqlConfig& config);

  const CqlConfig& config() const { return config_; }

  // Updates the temperature on the log-densities of fresh policy samples at s; returns alpha
  // (detached; 1 without automatic entropy tuning).
  torch::Tensor UpdateTemperature(const torch::Tensor& log_pi);
  // One policy step on samples `pi` at s (a: the batch actions, for the warm start); returns the
  // loss.
  torch::Tensor UpdatePolicy(const torch::Tensor& s, const torch::Tensor& a, const PolicySample& pi,
                             const torch::Tensor& alpha);
  // The critics' TD target [B] for next actions sampled at s' (no gradient).
  torch::Tensor TdTarget(const data::Batch& batch, const torch::Tensor& next_action,
                         const torch::Tensor& next_log_pi, const torch::Tensor& alpha);
  // Both critics' mean squared TD error, summed: q [2, B] against target [B].
  static torch::Tensor TdLoss(const torch::Tensor& q, const torch::Tensor& target);
  // One critic step on `loss`, then the targets follow.
  void UpdateCritics(const torch::Tensor& loss);
  // critic_loss, td_loss, policy_loss, alpha and q_data (mean Q1 of the batch actions).
  static Metrics CommonMetrics(const torch::Tensor& critic_loss, const torch::Tensor& td_loss,
                               const torch::Tensor& policy_loss, const torch::Tensor& alpha,
                               const torch::Tensor& q_data);

  torch::Tensor ActImpl(const torch::Tensor& observations, bool deterministic) override;
  std::optional<torch::Tensor> ValueImpl(const torch::Tensor& observations,
                                         const torch::Tensor& actions) override;

  TanhGaussianPolicy policy_{nullptr};
  EnsembleMlp critic_{nullptr};
  EnsembleMlp critic_target_{nullptr};
  torch::Tensor log_alpha_;        // defined with automatic entropy tuning
  torch::Tensor log_alpha_prime_;  // defined with CQL's Lagrange version
  std::unique_ptr<torch::optim::Adam> alpha_prime_optimizer_;

 private:
  CqlConfig config_;
  double target_entropy_;
  std::unique_ptr<torch::optim::Adam> policy_optimizer_;
  std::unique_ptr<torch::optim::Adam> critic_optimizer_;
  std::unique_ptr<torch::optim::Adam> alpha_optimizer_;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_SOFT_ACTOR_CRITIC_H_
