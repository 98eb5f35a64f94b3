// A trained tanh-Gaussian policy on its own: the policy network's weights and shape, without
// critics, targets or optimizer state (a 2 x 256 hopper policy is ~280 KB instead of the ~3 MB of
// a learner checkpoint). These are the behaviour policies shipped in data/policies/.
#ifndef ROMI_LEARNERS_POLICY_FILE_H_
#define ROMI_LEARNERS_POLICY_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learners/learner.h"
#include "learners/tanh_gaussian.h"

namespace romi::learners {

// Writes the parameters under `module` (e.g. "policy" for SAC and CQL) of `learner`, which must
// be the tanh-Gaussian policy that `options` describes, atomically to `path`.
absl::Status SavePolicyFile(const Learner& learner, const std::string& module,
                            const TanhGaussianPolicyOptions& options, const std::string& path);

// The policy in `path`. DataLossError naming the file for a missing entry or a weight whose shape
// does not match the stored widths.
absl::StatusOr<TanhGaussianPolicy> LoadPolicyFile(const std::string& path);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_POLICY_FILE_H_
