// Rollout policies: where the actions of imagined transitions come from.
//
// During reverse imagination the policy proposes an action a for a known *later* state s'
// (G(a | s')); during forward imagination (FOMI) for a known earlier state s. The policy does not
// care which: it conditions on "the known state" of the direction it was trained for.
//
// Registered policies (by RolloutPolicyConfig.name):
//   "uniform": a ~ U(-max_action, max_action)^act_dim; needs no training (maze2d, hopper).
//   "reverse-bc": a tanh-Gaussian pi(a | known state) fitted by maximum likelihood (ablation).
//   "cvae":    the conditional VAE of learners/conditional_vae.h, trained on (known state, a)
//              pairs, sampled with the latent clipped to +-0.5 (antmaze, walker2d, halfcheetah).
// A new policy is one file with a REGISTER_ROLLOUT_POLICY line (see rollout_policy_registry.h).
#ifndef ROMI_ROMI_ROLLOUT_POLICY_H_
#define ROMI_ROMI_ROLLOUT_POLICY_H_

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "data/transitions.h"
#include "romi/dynamics.pb.h"
#include "romi/rollout_policy.pb.h"

namespace romi {

struct RolloutPolicyOptions {
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  double max_action = 1.0;
  Direction direction = REVERSE;  // which state of a transition the policy conditions on
  RolloutPolicyConfig config;
  // When set, a learned policy's training state (weights, Adam moments, the generator, the step)
  // is written there atomically every `checkpoint_every` steps, and a training that finds the file
  // resumes from it, bit-identically to an uninterrupted one (same thread count). The caller
  // deletes it once the trained policy is saved.
  std::string training_checkpoint;
  int64_t checkpoint_every = 10000;
};

class RolloutPolicy {
 public:
  // Called every 1 000 steps, after each training checkpoint and at the end; a non-OK status
  // stops the training, which returns it.
  using ProgressCallback = std::function<absl::Status(int64_t step, double loss)>;
  virtual ~RolloutPolicy() = default;

  // Fits the policy to the (known state, action) pairs of `data`.
  virtual absl::Status Train(const data::Transitions& data, torch::Generator& generator,
                             const ProgressCallback& progress) = 0;
  // Actions [B, act_dim] for known states [B, obs_dim].
  virtual torch::Tensor Sample(const torch::Tensor& known_states, torch::Generator& generator) = 0;

  virtual absl::Status Save(const std::string& path) const = 0;
  virtual absl::Status Load(const std::string& path) = 0;
};

// The state a policy of `direction` conditions on: s' for REVERSE, s for FORWARD.
inline const torch::Tensor& KnownStates(const data::Transitions& data, Direction direction) {
  return direction == REVERSE ? data.next_observations : data.observations;
}

}  // namespace romi

#endif  // ROMI_ROMI_ROLLOUT_POLICY_H_
