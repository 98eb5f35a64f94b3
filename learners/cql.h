// CQL(H), conservative Q-learning on SAC (Kumar et al. 2020), as used with ROMI. Registered as
// "cql"; parameters (CqlConfig in learners/learners.proto) and defaults:
//   policy     tanh-Gaussian, obs -> 256 -> 256 -> 256 -> (mean, log_std in [-5, 2]); Adam 1e-4
//   critics    twin [s, a] -> 256 -> 256 -> 256 -> 1, one 2-member EnsembleMlp; Adam 3e-4
//   discount 0.99, tau 0.005 (critic targets); automatic entropy tuning toward -act_dim (Adam 1e-4)
//   backup     deterministic: r + (1 - done) * discount * min(Q1', Q2')(s', a' ~ pi(s')), no
//              entropy term
//   penalty    min_q_weight 5 * (temperature * logsumexp over 3n importance-weighted actions at s
//              - Q(s, a_data)), n = 10 uniform actions, 10 from pi(s), 10 from pi(s');
//              temperature 1
//   Lagrange   off; when on, alpha' scales (penalty - threshold 10) and is learned (Adam 3e-4)
//   warm start the policy maximizes the batch actions' likelihood (plus entropy) for its first
//              40000 steps, then SAC's objective alpha * log pi - min(Q1, Q2)
// The shared parts (networks, temperature, policy step, TD target) are soft_actor_critic.h's; with
// min_q_weight 0 and no Lagrange there is no penalty and "cql" is SAC with these settings (sac.h).
// As in the reference code, the policy samples used by the critic loss and the critics used by the
// policy loss are those from before this step's updates.
// Metrics: "critic_loss", "td_loss" (both critics' MSE summed), "cql_penalty" (both critics'
// penalties before min_q_weight, summed), "policy_loss", "alpha", "q_data" (mean Q1 on the batch),
// and "alpha_prime" with the Lagrange version.
#ifndef ROMI_LEARNERS_CQL_H_
#define ROMI_LEARNERS_CQL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learners/soft_actor_critic.h"

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

class Cql : public SoftActorCritic {
 public:
  // options.config.cql(); SAC (sac.h) when that config has no penalty.
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);

 private:
  Cql(const LearnerOptions& options, const CqlConfig& config) : SoftActorCritic(options, config) {}

  // Policy samples for the critic loss, from the policy before this step's update.
  struct CriticSamples {
    PolicySample next;             // one a' ~ pi(s') per row, for the backup
    torch::Tensor policy_actions;  // [2Bn, act]: n actions at s, then n at s'
    torch::Tensor policy_log_pi;   // [2, B, n]
  };
  CriticSamples SampleForCritics(const data::Batch& batch);
  // The conservative term added to the TD loss ([2], per critic) and its metrics.
  torch::Tensor ConservativeTerm(const data::Batch& batch, const CriticSamples& samples,
                                 torch::Tensor* q_data, Metrics* metrics);
  Metrics UpdateImpl(const data::Batch& batch) override;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_CQL_H_
