#include "learners/nn/conditional_vae.h"

namespace romi::learners {

ConditionalVaeImpl::ConditionalVaeImpl(const ConditionalVaeOptions& options) : options_(options) {
  if (options_.latent_dim == 0) options_.latent_dim = 2 * options_.data_dim;
  encoder_ =
      register_module("encoder", Mlp(options_.condition_dim + options_.data_dim, options_.hidden,
                                     2 * options_.latent_dim, Activation::kRelu));
  decoder_ = register_module("decoder", Mlp(options_.condition_dim + options_.latent_dim,
                                            options_.hidden, options_.data_dim, Activation::kRelu));
}

VaeOutput ConditionalVaeImpl::forward(const torch::Tensor& condition, const torch::Tensor& x,
                                      c10::optional<torch::Generator> generator) {
  return Reconstruct(condition, x,
                     at::randn({condition.size(0), options_.latent_dim}, generator, x.options()));
}

VaeOutput ConditionalVaeImpl::Reconstruct(const torch::Tensor& condition, const torch::Tensor& x,
                                          const torch::Tensor& eps) {
  const std::vector<torch::Tensor> stats =
      encoder_->forward(torch::cat({condition, x}, 1)).chunk(2, 1);
  const torch::Tensor mean = stats[0];
  const torch::Tensor std = stats[1].clamp(-4, 15).exp();
  return {Decode(condition, mean + std * eps), mean, std};
}

torch::Tensor ConditionalVaeImpl::Loss(const VaeOutput& output, const torch::Tensor& x) {
  const torch::Tensor reconstruction = torch::mse_loss(output.reconstruction, x);
  const torch::Tensor kl =
      -0.5 * (1 + output.std.pow(2).log() - output.mean.pow(2) - output.std.pow(2)).mean();
  return reconstruction + 0.5 * kl;
}

torch::Tensor ConditionalVaeImpl::Decode(const torch::Tensor& condition, const torch::Tensor& z) {
  return options_.max_value * torch::tanh(decoder_->forward(torch::cat({condition, z}, 1)));
}

torch::Tensor ConditionalVaeImpl::Sample(const torch::Tensor& condition,
                                         c10::optional<torch::Generator> generator) {
  return Decode(condition, PriorLatent(condition.size(0), condition.options(), generator));
}

torch::Tensor ConditionalVaeImpl::PriorLatent(int64_t rows, const torch::TensorOptions& options,
                                              c10::optional<torch::Generator> generator) const {
  return at::randn({rows, options_.latent_dim}, generator, options)
      .clamp_(-options_.latent_clip, options_.latent_clip);
}

}  // namespace romi::learners
