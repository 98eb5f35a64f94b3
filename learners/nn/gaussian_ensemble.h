// The network of the dynamics ensemble: E Gaussian MLPs evaluated as one batched op.
//
//   x [E, B, in] (or [B, in]) -> hidden_layers x hidden_width swish -> mean [E, B, out],
//                                                                    log_var [E, B, out]
// The mean and log-variance heads are two linear maps of the last hidden layer, stored as one
// EnsembleLinear of width 2 * out. The log-variance is soft-bounded by learnable per-dimension
// max_log_var / min_log_var (shared across members):
//   lv = max - softplus(max - raw);  lv = min + softplus(lv - min)
// so it never leaves [min, max] and its gradient never vanishes at the bounds.
#ifndef ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_H_
#define ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/ensemble_linear.h"

namespace romi::learners {

struct GaussianOutput {
  torch::Tensor mean;     // [E, B, out]
  torch::Tensor log_var;  // [E, B, out]
};

class GaussianEnsembleImpl : public torch::nn::Module {
 public:
  GaussianEnsembleImpl(int64_t members, int64_t input, int64_t output, int64_t hidden_layers,
                       int64_t hidden_width, double max_log_var_init, double min_log_var_init);

  GaussianOutput forward(const torch::Tensor& x);

  // The linear layers, input layer first, heads last (weight decay is per layer).
  const std::vector<EnsembleLinear>& layers() const { return trunk_->layers(); }
  int64_t members() const { return layers().front()->members(); }
  int64_t output_size() const { return output_; }

  torch::Tensor max_log_var;  // [out]
  torch::Tensor min_log_var;  // [out]

 private:
  int64_t output_;
  EnsembleMlp trunk_{nullptr};
};
TORCH_MODULE(GaussianEnsemble);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_GAUSSIAN_ENSEMBLE_H_
