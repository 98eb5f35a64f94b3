// Analytic floating-point operation counts of one learner update, for throughput reports
// (//learners:bench): achieved GFLOP/s = updates/s x UpdateFlops.
//
// Only the linear layers are counted (they are > 95 % of the arithmetic at the paper's widths;
// activations, losses, Adam and the soft target updates are left out). A linear layer in -> out on
// `rows` rows costs
//   forward             2 * rows * in * out   (one multiply-add per weight per row)
//   weight gradient     2 * rows * in * out   (x^T dy), when the layer's weights are trained
//   input gradient      2 * rows * in * out   (dy W^T), when anything before the layer needs it
// so a trained layer inside a network costs 3x its forward pass and a network's first layer fed by
// data (no input gradient) 2x. The counts follow what each learner's Update actually runs: e.g.
// BCQ's target networks only run forward (no-grad), the actor's loss back-propagates through Q1
// for input gradients only (frozen critic weights), and CQL's critics see the batch actions plus
// 3 x num_sampled_actions sampled actions per state in one pass.
#ifndef ROMI_LEARNERS_UPDATE_FLOPS_H_
#define ROMI_LEARNERS_UPDATE_FLOPS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "learners/learner.h"

namespace romi::learners {

// FLOPs of one Update on a batch of `batch` rows by the learner `options` describes. CQL is
// counted after its behaviour-cloning warm start (the policy loss through the critics). Unknown
// algorithms are a NotFoundError.
absl::StatusOr<double> UpdateFlops(const LearnerOptions& options, int64_t batch);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_UPDATE_FLOPS_H_
