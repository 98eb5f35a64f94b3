// CQL(H), conservative Q-learning on SAC (Kumar et al. 2020), as used with ROMI, and plain SAC.
//
// Registered as "cql" and, with the penalty off, as "sac" (sac.cc). Parameters (CqlConfig in
// learners/learners.proto) and defaults:
//   policy     tanh-Gaussian, obs -> 256 -> 256 -> 256 -> (mean, log_std in [-5, 2]); Adam 1e-4
//   critics    twin [s, a] -> 256 -> 256 -> 256 -> 1, one 2-member EnsembleMlp; Adam 3e-4
//   discount 0.99, tau 0.005 (critic targets); automatic entropy tuning toward -act_dim (Adam 1e-4)
//   backup     deterministic: r + (1 - done) * discount * min(Q1', Q2')(s', a' ~ pi(s')), no
//   entropy penalty    min_q_weight 5 * (temperature * logsumexp over 3n importance-weighted
//   actions at s
//              - Q(s, a_data)), n = 10 uniform actions, 10 from pi(s), 10 from pi(s'); temperature
//              1
//   Lagrange   off; when on, alpha' scales (penalty - threshold 10) and is learned (Adam 3e-4)
//   warm start the policy maximizes the batch actions' likelihood (plus entropy) for its first
//              40000 steps, then SAC's objective alpha * log pi - min(Q1, Q2)
// As in the reference code, the policy samples used by the critic loss and the critics used by the
// policy loss are those from before this step's updates.
// Metrics: "critic_loss", "td_loss" (both critics' MSE summed), "cql_penalty" (both critics'
// penalties before min_q_weight, summed), "policy_loss", "alpha", "q_data" (mean Q1 on the batch),
// and "alpha_prime" with the Lagrange version.
#ifndef ROMI_LEARNERS_CQL_H_
#define ROMI_LEARNERS_CQL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learners/learner.h"
#include "learners/nn/ensemble_linear.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::learners {

// The inputs of the CQL(H) penalty for E critics, B states and n actions per proposal.
struct CqlPenaltyInputs {
  torch::Tensor q_data;           // [E, B]     Q(s, a) of the batch actions
  torch::Tensor q_random;         // [E, B, n]  Q(s, a ~ uniform)
  torch::Tensor q_policy;         // [E, B, n]  Q(s, a ~ pi(. | s))
  torch::Tensor q_next_policy;    // [E, B, n]  Q(s, a ~ pi(. | s'))
  torch::Tensor log_pi;           // [B, n]     log pi(a | s) of the q_policy actions
  torch::Tensor log_pi_next;      // [B, n]     log pi(a | s') of the q_next_policy actions
  double random_log_density = 0;  // log density of the uniform proposal, -act_dim log(2 max_action)
  double temperature = 1;
};

// Per critic [E]: temperature * mean_b logsumexp_j(x_bj / temperature) - mean_b q_data, where x
// holds each proposal's Q minus its log density (importance sampling), as CQL's min_q_version 3.
torch::Tensor CqlPenalty(const CqlPenaltyInputs& inputs);

// The CqlConfig that runs SAC: min_q_weight 0 (no penalty is computed), no warm start, the
// entropy bonus in the backup; networks, learning rates and log-std bounds from `sac`.
CqlConfig SacAsCql(const SacConfig& sac);

class Cql : public Learner {
 public:
  // "cql": options.config.cql(). "sac": SacAsCql(options.config.sac()).
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);
  static absl::StatusOr<std::unique_ptr<Learner>> CreateSac(const LearnerOptions& options);

 private:
  Cql(const LearnerOptions& options, const CqlConfig& config);
  static absl::StatusOr<std::unique_ptr<Learner>> CreateWith(const LearnerOptions& options,
                                                             const CqlConfig& config);

  Metrics UpdateImpl(const data::Batch& batch) override;
  torch::Tensor ActImpl(const torch::Tensor& observations, bool deterministic) override;

  CqlConfig config_;
  // False for SAC: the critics are fitted to the TD target alone.
  bool conservative_;
  double target_entropy_;
  TanhGaussianPolicy policy_{nullptr};
  EnsembleMlp critic_{nullptr};
  EnsembleMlp critic_target_{nullptr};
  torch::Tensor log_alpha_;        // defined with automatic entropy tuning
  torch::Tensor log_alpha_prime_;  // defined with the Lagrange version
  std::unique_ptr<torch::optim::Adam> policy_optimizer_;
  std::unique_ptr<torch::optim::Adam> critic_optimizer_;
  std::unique_ptr<torch::optim::Adam> alpha_optimizer_;
  std::unique_ptr<torch::optim::Adam> alpha_prime_optimizer_;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_CQL_H_
