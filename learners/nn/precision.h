// Mixed precision for the networks' matrix products: a scoped, thread-local setting that every
// building block's linear layers follow (Mlp, EnsembleLinear, EnsembleMlp, and through them the
// VAE and the Gaussian policies). It plays the role of autocast, which LibTorch 1.13 does not
// offer for CPU in C++.
//
//   ScopedPrecision bf16(BF16);     // until the end of the scope, on this thread
//   Mlp / EnsembleMlp forward:      casts its input and each layer's weight and bias to bfloat16,
//                                   keeps the activations in bfloat16, returns float32
//   ScopedPrecision mixed(BF16_POLICY);  // the same, but networks built as NetworkKind::kCritic
//                                        // stay float32
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

// What a network computes, where a precision treats networks differently (BF16_POLICY).
enum class NetworkKind {
  kGeneral,  // policies, actors, VAEs, models
  kCritic,   // value estimates Q(s, a) that TD targets are built from
};

// The dtype linear layers of a `kind` network multiply in on this thread: kFloat under FP32;
// kBFloat16 under BF16; under BF16_POLICY kBFloat16, except kFloat for critics.
torch::ScalarType MatmulDtype(NetworkKind kind = NetworkKind::kGeneral);

// `tensor` converted to `dtype` (itself when it already has it).
inline torch::Tensor CastTo(const torch::Tensor& tensor, torch::ScalarType dtype) {
  return tensor.scalar_type() == dtype ? tensor : tensor.to(dtype);
}

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_PRECISION_H_
