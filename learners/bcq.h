// BCQ, batch-constrained deep Q-learning (Fujimoto et al. 2019), as used with ROMI.
//
// Registered as "bcq". Parameters (BcqConfig in learners/learners.proto) and defaults:
//   VAE        [s, a] -> 750 -> 750 -> latent 2 * act_dim; decoder [s, z] -> 750 -> 750 -> a
//   actor      [s, a] -> 400 -> 300 -> phi * max_action * tanh, added to a and clipped; phi 0.05
//   critics    twin [s, a] -> 400 -> 300 -> 1, one 2-member EnsembleMlp (one matmul per layer)
//   Adam 1e-3 for all three; discount 0.99, tau 0.005 (actor and critic targets)
//   target     r + (1 - done) * discount * max over 10 VAE actions per s' of
//              lambda * min(Q1', Q2') + (1 - lambda) * max(Q1', Q2'), lambda 0.75
//   act        100 VAE candidates per state, perturbed; the argmax of Q1. `deterministic` is
//              ignored: BCQ's policy is this argmax over sampled candidates either way.
// Metrics: "vae_loss", "critic_loss" (sum of both critics' MSE), "actor_loss" (-mean Q1),
// "q_mean" (mean Q1 on the batch).
#ifndef ROMI_LEARNERS_BCQ_H_
#define ROMI_LEARNERS_BCQ_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learners/learner.h"
#include "learners/nn/conditional_vae.h"
#include "learners/nn/ensemble_linear.h"
#include "learners/nn/mlp.h"

namespace romi::learners {

// BCQ's critic target. twin_q: [2, B * n] (or [2, B * n, 1]) target-critic values of n candidate
// actions per next state, state-major (row b * n + j is candidate j of state b); rewards and
// terminals: [B]. Returns [B].
torch::Tensor BcqTarget(const torch::Tensor& twin_q, const torch::Tensor& rewards,
                        const torch::Tensor& terminals, double discount, double lambda);

class Bcq : public Learner {
 public:
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);

 private:
  explicit Bcq(const LearnerOptions& options);

  Metrics UpdateImpl(const data::Batch& batch) override;
  torch::Tensor ActImpl(const torch::Tensor& observations, bool deterministic) override;
  std::optional<torch::Tensor> ValueImpl(const torch::Tensor& observations,
                                         const torch::Tensor& actions) override;

  // a + phi * max_action * tanh(actor([s, a])), clipped to the action bounds.
  torch::Tensor Perturb(Mlp& actor, const torch::Tensor& observations,
                        const torch::Tensor& actions) const;

  BcqConfig config_;
  ConditionalVae vae_{nullptr};
  Mlp actor_{nullptr};
  EnsembleMlp critic_{nullptr};
  Mlp actor_target_{nullptr};
  EnsembleMlp critic_target_{nullptr};
  std::unique_ptr<torch::optim::Adam> vae_optimizer_;
  std::unique_ptr<torch::optim::Adam> actor_optimizer_;
  std::unique_ptr<torch::optim::Adam> critic_optimizer_;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_BCQ_H_
