#include "learners/nn/gaussian_ensemble.h"

namespace romi::learners {

GaussianEnsembleImpl::GaussianEnsembleImpl(int64_t members, int64_t input, int64_t output,
                                           int64_t hidden_layers, int64_t hidden_width,
                                           double max_log_var_init, double min_log_var_init)
    : output_(output) {
  trunk_ = register_module(
      "trunk", EnsembleMlp(members, input, std::vector<int64_t>(hidden_layers, hidden_width),
                           2 * output, Activation::kSwish, EnsembleInit::kTruncatedNormal));
  max_log_var = register_parameter("max_log_var", torch::full({output}, max_log_var_init));
  min_log_var = register_parameter("min_log_var", torch::full({output}, min_log_var_init));
}

GaussianOutput GaussianEnsembleImpl::forward(const torch::Tensor& x) {
  const std::vector<torch::Tensor> heads = trunk_->forward(x).split(output_, -1);
  torch::Tensor log_var = max_log_var - torch::softplus(max_log_var - heads[1]);
  log_var = min_log_var + torch::softplus(log_var - min_log_var);
  return {heads[0], log_var};
}

}  // namespace romi::learners
