// SAC (Haarnoja et al. 2018) as rlkit runs it: the online learner behind our behaviour policies
// (datagen/online_sac.h). Registered as "sac"; parameters (SacConfig in learners/learners.proto)
// and defaults:
//   policy   tanh-Gaussian, obs -> 256 -> 256 -> (mean, log_std in [-20, 2]); Adam 3e-4
//   critics  twin [s, a] -> 256 -> 256 -> 1; Adam 3e-4; discount 0.99, tau 0.005
//   temperature  learned toward entropy -act_dim (Adam 3e-4); the entropy term in the backup
// One update: the temperature, the policy (critics frozen), then the critics on the TD loss, as
// in soft_actor_critic.h. Metrics: "critic_loss" and "td_loss" (equal: both critics' MSE summed),
// "policy_loss", "alpha", "q_data" (mean Q1 on the batch).
#ifndef ROMI_LEARNERS_SAC_H_
#define ROMI_LEARNERS_SAC_H_

#include <memory>

#include "absl/status/statusor.h"
#include "learners/soft_actor_critic.h"

namespace romi::learners {

// The CqlConfig that runs SAC: no penalty, no warm start, the entropy bonus in the backup;
// networks ({256, 256} when unset), learning rates and log-std bounds from `sac`.
CqlConfig SacAsCql(const SacConfig& sac);

class Sac : public SoftActorCritic {
 public:
  // "sac": SacAsCql(options.config.sac()).
  static absl::StatusOr<std::unique_ptr<Learner>> Create(const LearnerOptions& options);
  // SAC with another CqlConfig's networks and settings (CQL with its penalty off, cql.h).
  static absl::StatusOr<std::unique_ptr<Learner>> CreateWith(const LearnerOptions& options,
                                                             const CqlConfig& config);

 private:
  Sac(const LearnerOptions& options, const CqlConfig& config) : SoftActorCritic(options, config) {}
  Metrics UpdateImpl(const data::Batch& batch) override;
};

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_SAC_H_
