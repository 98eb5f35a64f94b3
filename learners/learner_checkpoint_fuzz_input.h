// The small learners whose checkpoints learner_checkpoint_fuzzer loads, and that
// //datagen:write_fuzz_seeds saves as its seeds: one place for their configurations, so the seeds
// always fit the learners they are fuzzed against.
#ifndef ROMI_LEARNERS_LEARNER_CHECKPOINT_FUZZ_INPUT_H_
#define ROMI_LEARNERS_LEARNER_CHECKPOINT_FUZZ_INPUT_H_

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "learners/learner.h"

namespace romi::learners {

// The algorithms fuzzed: each with a few layers of width 8 (4-dim observations, 2-dim actions).
const std::vector<std::string>& FuzzedLearnerAlgorithms();

absl::StatusOr<std::unique_ptr<Learner>> MakeFuzzedLearner(const std::string& algorithm);

// A fixed batch of 16 transitions of the fuzzed learners' shapes.
data::Batch FuzzBatch();

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_LEARNER_CHECKPOINT_FUZZ_INPUT_H_
