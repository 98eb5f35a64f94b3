// The training loss of a GaussianEnsemble and its gradients, written out by hand.
//
// The dynamics models' objective, per member e (mean over its B rows and D outputs):
//   nll_e = mean((mu - y)^2 exp(-lv) + lv)
//   loss  = sum_e nll_e + penalty (sum(max_log_var) - sum(min_log_var))
//           + sum_l weight_decay[l] / 2 ||W_l||^2
// GaussianEnsembleLoss builds it with autograd: the reference, and the path for bf16 matmuls.
// GaussianEnsembleGradients computes the same gradients without autograd, for fp32 on the CPU:
// each member's forward and backward pass is a chain of single-threaded sgemm calls and fused
// elementwise loops on buffers allocated once, and the members run in parallel over the intra-op
// threads. Under autograd the step was two thirds overhead (per-member gemm loops inside bmm,
// allocations, separate bias and activation passes, the weight-decay graph); here it is the
// gemms. Because a member's arithmetic never depends on how members are spread over threads,
// the gradients are the same for every thread count.
#ifndef ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_GRADIENTS_H_
#define ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_GRADIENTS_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/gaussian_ensemble.h"

namespace romi::learners {

// The loss above as an autograd graph; x [E, B, in], y [E, B, out].
torch::Tensor GaussianEnsembleLoss(GaussianEnsembleImpl& net, const torch::Tensor& x,
                                   const torch::Tensor& y, double logvar_bound_penalty,
                                   const std::vector<double>& weight_decay);

class GaussianEnsembleGradients {
 public:
  // Buffers for batches of up to `max_batch` rows per member.
  GaussianEnsembleGradients(GaussianEnsembleImpl& net, int64_t max_batch);

  // Whether the hand-written path applies: fp32 parameters on the CPU, contiguous.
  static bool Supported(const GaussianEnsembleImpl& net);

  // Writes d loss / d parameter into every parameter's grad (overwriting it; allocated on the
  // first call) for x [E, B, in], y [E, B, out] (B <= max_batch, float, contiguous). Returns
  // sum_e nll_e, the loss without its penalty and weight-decay terms.
  double Compute(const torch::Tensor& x, const torch::Tensor& y, double logvar_bound_penalty,
                 const std::vector<double>& weight_decay);

 private:
  GaussianEnsembleImpl& net_;
  int64_t max_batch_;
  std::vector<int64_t> widths_;  // input, hidden..., 2 * output
  // Per layer l: pre-activations z_l [E, max_batch, widths_[l + 1]]; for hidden layers also
  // sigmoid(z_l) and the activations a_{l+1} = z_l sigmoid(z_l).
  std::vector<torch::Tensor> pre_, sigmoid_, activation_;
  torch::Tensor delta_, delta_next_;    // [E, max_batch, max width]: d loss / d z, two layers
  std::vector<double> bound_partials_;  // [E][2][output]: per-member sums for max / min log-var
  std::vector<double> member_nll_;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_GRADIENTS_H_
