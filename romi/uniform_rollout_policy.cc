// "uniform": actions drawn uniformly from the action box, whatever the state. ROMI uses it in
// maze2d and hopper, where a learned G adds nothing over covering the action space.
#include <memory>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"
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
  // Nothing is learned, but the stage still leaves its file, like every other: the action box it
  // samples, which a loaded file must match (a run directory of another task's actions is refused).
  absl::Status Save(const std::string& path) const override {
    torch::serialize::OutputArchive archive;
    archive.write("action_box", Box());
    return learners::SaveArchive(archive, path);
  }
  absl::Status Load(const std::string& path) override {
    torch::serialize::InputArchive archive;
    ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
    torch::Tensor box;
    ROMI_RETURN_IF_ERROR(learners::ReadTensor(archive, "action_box", path, box));
    if (!box.sizes().equals({2}) || box.scalar_type() != torch::kFloat64 ||
        !torch::equal(box, Box())) {
      return absl::DataLossError(absl::StrFormat(
          "%s: a uniform rollout policy for another action box (this one: %d actions in [-%g, "
          "%g])",
          path, act_dim_, max_action_, max_action_));
    }
    return absl::OkStatus();
  }

 private:
  torch::Tensor Box() const {
    return torch::tensor({static_cast<double>(act_dim_), max_action_}, torch::kFloat64);
  }

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
