// "uniform": actions drawn uniformly from the action box, whatever the state. ROMI uses it in
// maze2d and hopper, where a learned G adds nothing over covering the action space.
#include <memory>

#include "romi/rollout_policy.h"
#include "romi/rollout_policy_registry.h"

namespace romi {
namespace {

class UniformRolloutPolicy : public RolloutPolicy {
 public:
  explicit UniformRolloutPolicy(const RolloutPolicyOptions& options)
      : act_dim_(options.act_dim), max_action_(options.max_action) {}

  absl::Status Train(const data::Transitions&, torch::Generator&,
                     const ProgressCallback&) override {
    return absl::OkStatus();
  }
  torch::Tensor Sample(const torch::Tensor& known_states, torch::Generator& generator) override {
    return (torch::rand({known_states.size(0), act_dim_}, generator) * 2 - 1) * max_action_;
  }
  absl::Status Save(const std::string&) const override { return absl::OkStatus(); }
  absl::Status Load(const std::string&) override { return absl::OkStatus(); }

 private:
  int64_t act_dim_;
  double max_action_;
};

REGISTER_ROLLOUT_POLICY("uniform",
                        [](const RolloutPolicyOptions& options)
                            -> absl::StatusOr<std::unique_ptr<RolloutPolicy>> {
                          return std::make_unique<UniformRolloutPolicy>(options);
                        });

}  // namespace
}  // namespace romi
