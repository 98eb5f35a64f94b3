#include "romi/rollout_policy_training.h"

#include "absl/strings/str_cat.h"

namespace romi {

absl::Status TrainOnStateActionPairs(const data::Transitions& data,
                                     const RolloutPolicyOptions& options,
                                     std::vector<torch::Tensor> parameters,
                                     const StateActionLoss& loss, torch::Generator& generator,
                                     const RolloutPolicy::ProgressCallback& progress) {
  const RolloutPolicyConfig& config = options.config;
  torch::Tensor states = KnownStates(data, options.direction);
  torch::Tensor actions = data.actions;
  if (config.skip_terminals()) {
    const torch::Tensor keep = data.terminals == 0;
    states = states.index({keep});
    actions = actions.index({keep});
  }
  const int64_t rows = states.size(0);
  if (rows == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("rollout policy '", config.name(), "': no training transitions"));
  }
  torch::optim::Adam optimizer(std::move(parameters),
                               torch::optim::AdamOptions(config.learning_rate()));
  for (int64_t step = 0; step < config.train_steps(); ++step) {
    const torch::Tensor index =
        torch::randint(rows, {config.batch_size()}, generator, torch::kInt64);
    const torch::Tensor value = loss(states.index_select(0, index), actions.index_select(0, index));
    optimizer.zero_grad();
    value.backward();
    optimizer.step();
    if (progress && (step % 1000 == 0 || step + 1 == config.train_steps())) {
      progress(step + 1, value.item<double>());
    }
  }
  return absl::OkStatus();
}

}  // namespace romi
