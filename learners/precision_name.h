// Learner precisions (learners.proto, learners/nn/precision.h) as flags spell them: "fp32",
// "bf16", "bf16-policy". Torch-free, for the suite's and the bench's flags.
#ifndef ROMI_LEARNERS_PRECISION_NAME_H_
#define ROMI_LEARNERS_PRECISION_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "learners/learners.pb.h"

namespace romi::learners {

// The precision a flag names; InvalidArgument listing the valid names otherwise.
absl::StatusOr<Precision> ParsePrecision(const std::string& name);

// The flag spelling of `precision`: its enum name in lower case, '_' as '-'.
std::string PrecisionFlagName(Precision precision);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_PRECISION_NAME_H_
