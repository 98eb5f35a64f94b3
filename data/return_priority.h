// Return-based priority (ROMI's public code, used in antmaze and the gym tasks): each transition is
// weighted by how good its episode was, so start states and real batches favour high-return data.
//
//   weight_i = (R(i) - R_min) / max(1, R_max - R_min)
// where R(i) is the return of the episode holding transition i and R_min/R_max are taken over the
// dataset's episodes. The worst episode gets weight 0.
#ifndef ROMI_DATA_RETURN_PRIORITY_H_
#define ROMI_DATA_RETURN_PRIORITY_H_

#include <torch/torch.h>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "data/index_distribution.h"

namespace romi::data {

// float64 [N] weights as above.
torch::Tensor ReturnPriorityWeights(const Dataset& dataset);

// The distribution the weights define. When every episode has the same return all weights are 0;
// the formula then says nothing about preference, and the distribution is uniform.
IndexDistribution ReturnPriorityDistribution(const Dataset& dataset);

}  // namespace romi::data

#endif  // ROMI_DATA_RETURN_PRIORITY_H_
