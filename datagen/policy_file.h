// A trained tanh-Gaussian policy on its own: the policy network's weights and shape, without
// critics, targets or optimizer state (a 2 x 256 hopper policy is ~280 KB instead of the ~3 MB of
// a learner checkpoint). These are the behaviour policies shipped in datagen/policies/.
#ifndef ROMI_DATAGEN_POLICY_FILE_H_
#define ROMI_DATAGEN_POLICY_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learners/learner.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::datagen {

// Writes the parameters under `module` (e.g. "policy" for SAC and CQL) of `learner`, which must
// be the tanh-Gaussian policy that `options` describes, atomically to `path`.
absl::Status SavePolicyFile(const learners::Learner& learner, const std::string& module,
                            const learners::TanhGaussianPolicyOptions& options,
                            const std::string& path);

// The policy in `path`. DataLossError naming the file for a missing entry or a weight whose shape
// does not match the stored widths.
absl::StatusOr<learners::TanhGaussianPolicy> LoadPolicyFile(const std::string& path);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_POLICY_FILE_H_
