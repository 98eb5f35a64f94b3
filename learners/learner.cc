#include "learners/learner.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <exception>

#include "absl/strings/str_cat.h"
#include "base/seeds.h"
#include "learners/nn/archive_io.h"
#include "learners/nn/precision.h"
#include "learners/nn/runtime.h"

namespace romi::learners {
namespace {

torch::Generator MakeGenerator(const torch::Device& device, uint64_t seed) {
  // Cloning the device's default generator gives an independent one of the right kind (CPU or
  // CUDA) without naming backend-specific classes.
  torch::Generator generator = at::globalContext().defaultGenerator(device).clone();
  generator.set_current_seed(seed);
  return generator;
}

}  // namespace

Learner::Learner(const LearnerOptions& options)
    : options_(options),
      generator_(MakeGenerator(options.device, options.seed)),
      // A second, distinct stream for acting.
      act_generator_(MakeGenerator(options.device, seeds::Sibling(options.seed))),
      data_parallel_(ShardsFor(options.config, options.device)) {
  // Module constructors draw initial weights from torch's global generator.
  torch::manual_seed(options.seed);
  KeepFreedMemory();
}

Metrics Learner::Update(const data::Batch& batch) {
  ScopedPrecision precision(options_.config.precision());
  Metrics metrics;
  if (batch.observations.device() == options_.device) {
    metrics = UpdateImpl(batch);
  } else {
    const torch::Device device = options_.device;
    metrics = UpdateImpl({batch.observations.to(device), batch.actions.to(device),
                          batch.rewards.to(device), batch.next_observations.to(device),
                          batch.terminals.to(device)});
  }
  ++step_;
  return metrics;
}

absl::Status Learner::CheckParametersFinite() const {
  for (const auto& item : root_->named_parameters(/*recurse=*/true)) {
    const torch::Tensor& value = item.value();
    if (torch::isfinite(value).all().item<bool>()) continue;
    const torch::Tensor bad = value.masked_select(~torch::isfinite(value));
    return absl::InternalError(absl::StrCat("parameter '", item.key(), "' holds ", bad.numel(),
                                            " non-finite values (e.g. ", bad[0].item<double>(),
                                            ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckMetricsFinite(const Metrics& metrics) {
  for (const auto& [name, value] : metrics) {
    if (!std::isfinite(value)) return absl::InternalError(absl::StrCat(name, " is ", value));
  }
  return absl::OkStatus();
}

torch::Tensor Learner::Act(const torch::Tensor& observations, bool deterministic) {
  torch::NoGradGuard no_grad;
  ScopedPrecision precision(options_.config.precision());
  return ActImpl(observations.to(options_.device), deterministic);
}

torch::Tensor Learner::RegisterParameter(const std::string& name, torch::Tensor value) {
  return root_->register_parameter(name, std::move(value));
}

void Learner::MoveToDevice() {
  root_->to(options_.device);
  targets_->to(options_.device);
}

void Learner::RegisterOptimizer(const std::string& name, torch::optim::Optimizer* optimizer) {
  optimizers_.emplace_back(name, optimizer);
}

absl::Status Learner::Save(const std::string& path) {
  torch::serialize::OutputArchive archive;
  try {
    archive.write("algorithm", c10::IValue(options_.config.algorithm()));
    archive.write("step", torch::tensor(step_, torch::kInt64));
    archive.write("generator", generator_.get_state());
    archive.write("act_generator", act_generator_.get_state());
    torch::serialize::OutputArchive modules;
    root_->save(modules);
    archive.write("modules", modules);
    torch::serialize::OutputArchive targets;
    targets_->save(targets);
    archive.write("targets", targets);
    for (const auto& [name, optimizer] : optimizers_) {
      torch::serialize::OutputArchive state;
      optimizer->save(state);
      archive.write("optimizer." + name, state);
    }
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("saving learner to ", path, ": ", e.what()));
  }
  return SaveArchive(archive, path);
}

absl::Status Learner::Load(const std::string& path) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, options_.device);
    c10::IValue algorithm;
    archive.read("algorithm", algorithm);
    if (algorithm.toStringRef() != options_.config.algorithm()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " holds a '", algorithm.toStringRef(),
                                                     "' learner, not '",
                                                     options_.config.algorithm(), "'"));
    }
    torch::Tensor step;
    archive.read("step", step);
    torch::Tensor generator_state;
    archive.read("generator", generator_state);
    torch::Tensor act_generator_state;
    archive.read("act_generator", act_generator_state);
    torch::serialize::InputArchive modules;
    archive.read("modules", modules);
    root_->load(modules);
    torch::serialize::InputArchive targets;
    archive.read("targets", targets);
    targets_->load(targets);
    for (const auto& [name, optimizer] : optimizers_) {
      torch::serialize::InputArchive state;
      archive.read("optimizer." + name, state);
      optimizer->load(state);
    }
    // Generator states are CPU byte tensors whatever the device.
    generator_.set_state(generator_state.cpu());
    act_generator_.set_state(act_generator_state.cpu());
    step_ = step.item<int64_t>();
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("loading learner from ", path, ": ", e.what()));
  }
  return absl::OkStatus();
}

void ZeroGrad(torch::optim::Optimizer& optimizer) {
  for (torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) {
    for (torch::Tensor& parameter : group.params()) parameter.mutable_grad().reset();
  }
}

void SoftUpdate(const torch::nn::Module& source, torch::nn::Module& target, double tau) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> from = source.parameters();
  std::vector<torch::Tensor> to = target.parameters();
  for (size_t i = 0; i < to.size(); ++i) to[i].lerp_(from[i], tau);
}

void HardUpdate(const torch::nn::Module& source, torch::nn::Module& target) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> from = source.parameters();
  std::vector<torch::Tensor> to = target.parameters();
  for (size_t i = 0; i < to.size(); ++i) to[i].copy_(from[i]);
}

namespace {

void FillIfEmpty(google::protobuf::RepeatedField<int64_t>* widths,
                 std::initializer_list<int64_t> defaults) {
  if (widths->empty()) widths->Add(defaults.begin(), defaults.end());
}

}  // namespace

void FillDefaultWidths(SacConfig* config) {
  FillIfEmpty(config->mutable_policy_hidden(), {256, 256});
  FillIfEmpty(config->mutable_critic_hidden(), {256, 256});
}

void FillDefaultWidths(LearnerConfig* config) {
  // Only the algorithm's own parameters: they are a oneof, and touching another member would
  // clear them.
  const std::string& algorithm = config->algorithm();
  if (algorithm == "bc") {
    FillIfEmpty(config->mutable_bc()->mutable_hidden(), {256, 256});
  } else if (algorithm == "bcq") {
    BcqConfig* bcq = config->mutable_bcq();
    FillIfEmpty(bcq->mutable_actor_hidden(), {400, 300});
    FillIfEmpty(bcq->mutable_critic_hidden(), {400, 300});
    FillIfEmpty(bcq->mutable_vae_hidden(), {750, 750});
  } else if (algorithm == "cql") {
    FillIfEmpty(config->mutable_cql()->mutable_policy_hidden(), {256, 256, 256});
    FillIfEmpty(config->mutable_cql()->mutable_critic_hidden(), {256, 256, 256});
  } else if (algorithm == "sac") {
    FillDefaultWidths(config->mutable_sac());
  }
}

std::vector<int64_t> WidthsOf(const google::protobuf::RepeatedField<int64_t>& widths) {
  return std::vector<int64_t>(widths.begin(), widths.end());
}

absl::Status ValidateLearnerOptions(const LearnerOptions& options) {
  if (options.obs_dim <= 0 || options.act_dim <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner needs obs_dim > 0 and act_dim > 0, got ", options.obs_dim, " and ",
                     options.act_dim));
  }
  if (options.config.parallel_shards() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner needs parallel_shards >= 0 (0: one per thread), got ",
                     options.config.parallel_shards()));
  }
  if (!(options.max_action > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner needs max_action > 0, got ", options.max_action));
  }
  return absl::OkStatus();
}

}  // namespace romi::learners
