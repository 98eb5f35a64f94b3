// Mixed precision for the networks' matrix products: a scoped, thread-local setting that every
// building block's linear layers follow (Mlp, EnsembleLinear, EnsembleMlp, and through them the
// VAE and the Gaussian policies). It plays the role of autocast, which LibTorch 1.13 does not
// offer for CPU in C++.
//
//   ScopedPrecision bf16(BF16);     // until the end of the scope, on this thread
//   Mlp / EnsembleMlp forward:      casts its input and each layer's weight and bias to bfloat16,
//                                   keeps the activations in bfloat16, returns float32
//
// The parameters stay float32 (master weights): autograd casts their gradients back, so the
// optimizers, losses and targets are float32 as before. Learner::Update and Act enter the
// learner's LearnerConfig::precision. FP32 (the default) leaves every computation unchanged.
#ifndef ROMI_LEARNERS_NN_PRECISION_H_
#define ROMI_LEARNERS_NN_PRECISION_H_

#include <torch/torch.h>

#include "learners/learners.pb.h"

namespace romi::learners {

class ScopedPrecision {
 public:
  explicit ScopedPrecision(Precision precision);
  ~ScopedPrecision();
  ScopedPrecision(const ScopedPrecision&) = delete;
  ScopedPrecision& operator=(const ScopedPrecision&) = delete;

 private:
  Precision previous_;
};

// The precision in effect on this thread (FP32 unless a ScopedPrecision says otherwise).
Precision CurrentPrecision();

// The dtype linear layers multiply in on this thread: kFloat, or kBFloat16 under BF16.
torch::ScalarType MatmulDtype();

// `tensor` converted to `dtype` (itself when it already has it).
inline torch::Tensor CastTo(const torch::Tensor& tensor, torch::ScalarType dtype) {
  return tensor.scalar_type() == dtype ? tensor : tensor.to(dtype);
}

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_PRECISION_H_
