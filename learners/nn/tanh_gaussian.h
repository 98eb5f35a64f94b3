// A tanh-squashed Gaussian policy pi(a | s): an MLP trunk gives the mean and log-std of u, and
// a = max_action * tanh(u).
//
// Used by BC (maximum likelihood of dataset actions), by CQL's SAC actor (reparameterized samples
// with their log-probability) and by ROMI's reverse-BC rollout policy pi(a | s') (2 x 256 relu,
// log_std in [-20, 2]). Parameters and defaults:
//   obs_dim, act_dim  input and action widths (required)
//   hidden            trunk widths, relu; default {256, 256}
//   log_std_min/max   clamp of the log-std; default [-20, 2] (CQL uses [-5, 2])
//   max_action        |a| bound; default 1
// The mean and log-std come from one output layer of width 2 * act_dim (the same function as two
// separate heads on the last hidden layer, in one matmul).
#ifndef ROMI_LEARNERS_NN_TANH_GAUSSIAN_H_
#define ROMI_LEARNERS_NN_TANH_GAUSSIAN_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/mlp.h"

namespace romi::learners {

struct TanhGaussianPolicyOptions {
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  std::vector<int64_t> hidden = {256, 256};
  double log_std_min = -20.0;
  double log_std_max = 2.0;
  double max_action = 1.0;
};

struct PolicySample {
  torch::Tensor action;    // [B, act_dim], in (-max_action, max_action)
  torch::Tensor log_prob;  // [B], log density of `action` (tanh and scale corrections included)
};

class TanhGaussianPolicyImpl : public torch::nn::Module {
 public:
  explicit TanhGaussianPolicyImpl(const TanhGaussianPolicyOptions& options);

  // Mean and clamped log-std of the pre-tanh Gaussian, each [B, act_dim].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& observations);

  // A reparameterized sample (differentiable in the parameters) and its log-probability.
  PolicySample Sample(const torch::Tensor& observations,
                      c10::optional<torch::Generator> generator = c10::nullopt);
  // A reparameterized sample given forward()'s outputs, e.g. repeated to draw several actions
  // per state without running the trunk once per copy.
  PolicySample SampleFrom(const torch::Tensor& mean, const torch::Tensor& log_std,
                          c10::optional<torch::Generator> generator = c10::nullopt) const;
  // log pi(actions | observations), [B]; actions are clipped just inside the bounds so that the
  // inverse tanh of a boundary action stays finite.
  torch::Tensor LogProb(const torch::Tensor& observations, const torch::Tensor& actions);
  // The mode's stand-in used for evaluation: max_action * tanh(mean).
  torch::Tensor Deterministic(const torch::Tensor& observations);

  const TanhGaussianPolicyOptions& options() const { return options_; }

 private:
  // log N(u; mean, std) - log|d a / d u| summed over action dims, given u and (u - mean) / std.
  torch::Tensor SquashedLogProb(const torch::Tensor& u, const torch::Tensor& standardized,
                                const torch::Tensor& log_std) const;

  TanhGaussianPolicyOptions options_;
  Mlp net_{nullptr};  // obs -> [mean, log_std]
};
TORCH_MODULE(TanhGaussianPolicy);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_TANH_GAUSSIAN_H_
