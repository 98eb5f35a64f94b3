// Behaviour cloning: a tanh-Gaussian policy fitted by maximum likelihood of the batch's actions.
//
// Registered as "bc". Parameters (BcConfig in learners/learners.proto) and defaults:
//   hidden {256, 256} relu, Adam learning_rate 1e-3, log_std clamped to [-5, 2].
// The paper's BC baseline comes from the Repb-SDE repository; this is the maximum-likelihood
// variant (the same objective as CQL's warm start). Act(deterministic) returns
// max_action * tanh(mean); otherwise a sample.
// Metrics: "bc_loss" (mean negative log-likelihood of the batch actions).
#ifndef ROMI_LEARNERS_BC_H_
#define ROMI_LEARNERS_BC_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learners/learner.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::learners {

class Bc : public Learner {
 public:
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);

 private:
  explicit Bc(const LearnerOptions& options);

  Metrics UpdateImpl(const data::Batch& batch) override;
  torch::Tensor ActImpl(const torch::Tensor& observations, bool deterministic) override;

  TanhGaussianPolicy policy_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_BC_H_
