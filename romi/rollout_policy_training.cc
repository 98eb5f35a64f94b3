#include "romi/rollout_policy_training.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"

namespace romi {
namespace {

// What a checkpoint must match to be resumed: the policy's config and the training rows.
std::string Identity(const RolloutPolicyOptions& options, int64_t rows) {
  return absl::StrCat(options.config.SerializeAsString(), "|direction ",
                      static_cast<int>(options.direction), "|rows ", rows);
}

absl::Status SaveCheckpoint(const std::string& path, const std::string& identity,
                            const std::vector<torch::Tensor>& parameters,
                            torch::optim::Optimizer& optimizer, torch::Generator& generator,
                            int64_t step) {
  torch::serialize::OutputArchive archive;
  try {
    archive.write("identity", c10::IValue(identity));
    for (size_t i = 0; i < parameters.size(); ++i) {
      archive.write(absl::StrCat("parameter.", i), parameters[i].detach());
    }
    torch::serialize::OutputArchive state;
    optimizer.save(state);
    archive.write("optimizer", state);
    archive.write("generator", generator.get_state());
    archive.write("step", torch::tensor(step, torch::kInt64));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("saving the rollout policy training checkpoint ", path, ": ", e.what()));
  }
  return learners::SaveArchive(archive, path);
}

// Restores the training state; returns the step to continue from.
absl::StatusOr<int64_t> LoadCheckpoint(const std::string& path, const std::string& identity,
                                       std::vector<torch::Tensor>& parameters,
                                       torch::optim::Optimizer& optimizer,
                                       torch::Generator& generator) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  try {
    c10::IValue stored;
    if (!archive.try_read("identity", stored) || !stored.isString()) {
      return absl::DataLossError(
          absl::StrCat(path, ": not a rollout policy training checkpoint (no 'identity')"));
    }
    if (stored.toStringRef() != identity) {
      return absl::FailedPreconditionError(
          absl::StrCat(path,
                       " is the checkpoint of another rollout policy training (other "
                       "config or data); delete it to start over"));
    }
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < parameters.size(); ++i) {
      torch::Tensor value;
      archive.read(absl::StrCat("parameter.", i), value);
      if (!value.sizes().equals(parameters[i].sizes())) {
        return absl::DataLossError(absl::StrCat(path, ": parameter.", i, " has the wrong shape"));
      }
      parameters[i].copy_(value);
    }
    torch::serialize::InputArchive state;
    archive.read("optimizer", state);
    optimizer.load(state);
    torch::Tensor generator_state, step;
    archive.read("generator", generator_state);
    archive.read("step", step);
    generator.set_state(generator_state);
    return step.item<int64_t>();
  } catch (const c10::Error& error) {
    return absl::DataLossError(absl::StrCat(
        path,
        ": cannot load the rollout policy training checkpoint: ", error.what_without_backtrace()));
  }
}

}  // namespace

absl::Status TrainOnStateActionPairs(const data::Transitions& data,
                                     const RolloutPolicyOptions& options,
                                     std::vector<torch::Tensor> parameters,
                                     const StateActionLoss& loss, torch::Generator& generator,
                                     const RolloutPolicy::ProgressCallback& progress) {
  const RolloutPolicyConfig& config = options.config;
  const data::Transitions rows_used = config.skip_terminals() ? data.NonTerminal() : data;
  const torch::Tensor states = KnownStates(rows_used, options.direction);
  const torch::Tensor& actions = rows_used.actions;
  const int64_t rows = states.size(0);
  if (rows == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("rollout policy '", config.name(), "': no training transitions"));
  }
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(config.learning_rate()));
  const std::string& checkpoint = options.training_checkpoint;
  const std::string identity = Identity(options, rows);
  int64_t first_step = 0;
  if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) {
    ROMI_ASSIGN_OR_RETURN(first_step,
                          LoadCheckpoint(checkpoint, identity, parameters, optimizer, generator));
  }
  const int64_t every = std::max<int64_t>(1, options.checkpoint_every);
  for (int64_t step = first_step; step < config.train_steps(); ++step) {
    const torch::Tensor index =
        torch::randint(rows, {config.batch_size()}, generator, torch::kInt64);
    const torch::Tensor value = loss(states.index_select(0, index), actions.index_select(0, index));
    optimizer.zero_grad();
    value.backward();
    optimizer.step();
    const int64_t done = step + 1;
    const bool checkpointed = !checkpoint.empty() && done % every == 0;
    if (checkpointed) {
      ROMI_RETURN_IF_ERROR(
          SaveCheckpoint(checkpoint, identity, parameters, optimizer, generator, done));
    }
    if (progress && (step % 1000 == 0 || checkpointed || done == config.train_steps())) {
      ROMI_RETURN_IF_ERROR(progress(done, value.item<double>()));
    }
  }
  return absl::OkStatus();
}

}  // namespace romi
