// A conditional variational autoencoder of vectors x given a condition c.
//
// One model, two uses: BCQ's generative model of dataset actions given the state (c = s, x = a),
// and ROMI's diverse reverse rollout policy of actions given the *next* state (c = s', x = a).
//   encoder [c, x] -> hidden (relu) -> mean, log_std (clamped to [-4, 15])
//   decoder [c, z] -> hidden (relu) -> max_value * tanh
// Defaults follow BCQ and ROMI: hidden {750, 750}, latent_dim = 2 * x_dim; loss = MSE
// reconstruction + 0.5 * KL(q(z | c, x) || N(0, I)) with the KL averaged over batch and latent
// dims; sampling draws z ~ N(0, I) clamped to [-0.5, 0.5], which keeps samples near the data's
// modes.
#ifndef ROMI_LEARNERS_NN_CONDITIONAL_VAE_H_
#define ROMI_LEARNERS_NN_CONDITIONAL_VAE_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learners/nn/mlp.h"

namespace romi::learners {

struct ConditionalVaeOptions {
  int64_t condition_dim = 0;
  int64_t data_dim = 0;
  int64_t latent_dim = 0;  // 0: 2 * data_dim
  std::vector<int64_t> hidden = {750, 750};
  double max_value = 1.0;    // |x| bound of the decoder output
  double latent_clip = 0.5;  // |z| bound when sampling from the prior
};

struct VaeOutput {
  torch::Tensor reconstruction;  // [B, data_dim]
  torch::Tensor mean;            // [B, latent_dim]
  torch::Tensor std;             // [B, latent_dim]
};

class ConditionalVaeImpl : public torch::nn::Module {
 public:
  explicit ConditionalVaeImpl(const ConditionalVaeOptions& options);

  // Encodes, draws z = mean + std * eps, decodes.
  VaeOutput forward(const torch::Tensor& condition, const torch::Tensor& x,
                    c10::optional<torch::Generator> generator = c10::nullopt);
  // forward() with the standard-normal draws eps [B, latent_dim] given, e.g. drawn for a whole
  // batch before it is split into shards (learners/data_parallel.h).
  VaeOutput Reconstruct(const torch::Tensor& condition, const torch::Tensor& x,
                        const torch::Tensor& eps);
  // MSE reconstruction + 0.5 * mean KL.
  static torch::Tensor Loss(const VaeOutput& output, const torch::Tensor& x);

  torch::Tensor Decode(const torch::Tensor& condition, const torch::Tensor& z);
  // Decodes prior samples z ~ clip(N(0, I), +-latent_clip): [B, cond] -> [B, data_dim].
  torch::Tensor Sample(const torch::Tensor& condition,
                       c10::optional<torch::Generator> generator = c10::nullopt);
  // The prior samples Sample() decodes: z ~ clip(N(0, I), +-latent_clip), [rows, latent_dim].
  torch::Tensor PriorLatent(int64_t rows, const torch::TensorOptions& options,
                            c10::optional<torch::Generator> generator = c10::nullopt) const;

  const ConditionalVaeOptions& options() const { return options_; }

 private:
  ConditionalVaeOptions options_;
  Mlp encoder_{nullptr};  // [c, x] -> [mean, log_std]
  Mlp decoder_{nullptr};  // [c, z] -> pre-tanh x
};
TORCH_MODULE(ConditionalVae);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_CONDITIONAL_VAE_H_
