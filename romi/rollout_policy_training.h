// The minibatch loop shared by the learned rollout policies (cvae, reverse-bc): draw
// config.batch_size() (known state, action) pairs uniformly, minimize `loss` with Adam for
// config.train_steps() steps. Terminal transitions are skipped when config.skip_terminals().
#ifndef ROMI_ROMI_ROLLOUT_POLICY_TRAINING_H_
#define ROMI_ROMI_ROLLOUT_POLICY_TRAINING_H_

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "data/transitions.h"
#include "romi/rollout_policy.h"

namespace romi {

using StateActionLoss =
    std::function<torch::Tensor(const torch::Tensor& known_states, const torch::Tensor& actions)>;

absl::Status TrainOnStateActionPairs(const data::Transitions& data,
                                     const RolloutPolicyOptions& options,
                                     std::vector<torch::Tensor> parameters,
                                     const StateActionLoss& loss, torch::Generator& generator,
                                     const RolloutPolicy::ProgressCallback& progress);

}  // namespace romi

#endif  // ROMI_ROMI_ROLLOUT_POLICY_TRAINING_H_
