#include "learners/learner.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <exception>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/seeds.h"
#include "base/status_macros.h"
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

// Reads the state of `module` (as torch::nn::Module::save wrote it into `archive`: its own
// parameters and buffers by name, each child in a nested archive) into its tensors, in place.
// torch's Module::load would take any stored shape or dtype and replace the tensor with it, and a
// checkpoint of another configuration (or a corrupt one) would then crash the next update: here
// every tensor must match the one it replaces. `where` names the part of the file ("modules").
absl::Status LoadModuleState(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                             const std::string& path, const std::string& where) {
  torch::NoGradGuard no_grad;
  const auto load = [&](const std::string& key, torch::Tensor& tensor) -> absl::Status {
    const std::string name = absl::StrCat(where, "/", key);
    torch::Tensor stored;
    ROMI_RETURN_IF_ERROR(ReadTensor(archive, key, absl::StrCat(path, ": ", where), stored));
    if (stored.sizes() != tensor.sizes() || stored.scalar_type() != tensor.scalar_type()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", name, " is ", c10::str(stored.sizes()), " ",
                       c10::toString(stored.scalar_type()), ", this learner's is ",
                       c10::str(tensor.sizes()), " ", c10::toString(tensor.scalar_type()),
                       ": a checkpoint of another configuration, or a corrupt one"));
    }
    tensor.copy_(stored);
    return absl::OkStatus();
  };
  for (auto& item : module.named_parameters(/*recurse=*/false)) {
    ROMI_RETURN_IF_ERROR(load(item.key(), item.value()));
  }
  for (auto& item : module.named_buffers(/*recurse=*/false)) {
    ROMI_RETURN_IF_ERROR(load(item.key(), item.value()));
  }
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive nested;
    if (!archive.try_read(child.key(), nested)) {
      return absl::DataLossError(absl::StrCat(path, ": ", where, "/", child.key(), " is missing"));
    }
    ROMI_RETURN_IF_ERROR(
        LoadModuleState(*child.value(), nested, path, absl::StrCat(where, "/", child.key())));
  }
  return absl::OkStatus();
}

// After torch's Adam::load, which takes the stored moment estimates whatever their shapes: each
// must be a float tensor of its parameter's shape within its storage, or the next step would read
// out of bounds.
absl::Status CheckAdamState(torch::optim::Optimizer& optimizer, const std::string& path,
                            const std::string& where) {
  int index = 0;
  for (const torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) {
    for (const torch::Tensor& parameter : group.params()) {
      const std::string name = absl::StrCat(path, ": ", where, " state of parameter ", index++);
      const auto found =
          optimizer.state().find(c10::guts::to_string(parameter.unsafeGetTensorImpl()));
      if (found == optimizer.state().end()) continue;  // no step taken yet
      const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(found->second.get());
      if (adam == nullptr) return absl::DataLossError(absl::StrCat(name, " is not Adam's"));
      for (const torch::Tensor* moment : {&adam->exp_avg(), &adam->exp_avg_sq()}) {
        ROMI_RETURN_IF_ERROR(CheckStoredTensor(*moment, name));
        if (moment->sizes() != parameter.sizes() ||
            moment->scalar_type() != parameter.scalar_type()) {
          return absl::InvalidArgumentError(absl::StrCat(
              name, " is ", c10::str(moment->sizes()), " ", c10::toString(moment->scalar_type()),
              ", the parameter is ", c10::str(parameter.sizes()), " ",
              c10::toString(parameter.scalar_type())));
        }
      }
      if (adam->max_exp_avg_sq().defined()) {
        ROMI_RETURN_IF_ERROR(CheckStoredTensor(adam->max_exp_avg_sq(), name));
        if (adam->max_exp_avg_sq().sizes() != parameter.sizes()) {
          return absl::InvalidArgumentError(
              absl::StrCat(name, ": max_exp_avg_sq is ", c10::str(adam->max_exp_avg_sq().sizes())));
        }
      }
    }
  }
  return absl::OkStatus();
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

std::optional<torch::Tensor> Learner::Value(const torch::Tensor& observations,
                                            const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  ScopedPrecision precision(options_.config.precision());
  return ValueImpl(observations.to(options_.device), actions.to(options_.device));
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
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(LoadArchive(path, archive));
  try {
    c10::IValue algorithm;
    if (!archive.try_read("algorithm", algorithm) || !algorithm.isString()) {
      return absl::DataLossError(absl::StrCat(path, ": no learner algorithm name"));
    }
    if (algorithm.toStringRef() != options_.config.algorithm()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " holds a '", algorithm.toStringRef(),
                                                     "' learner, not '",
                                                     options_.config.algorithm(), "'"));
    }
    torch::Tensor step;
    ROMI_RETURN_IF_ERROR(ReadTensor(archive, "step", path, step));
    if (step.numel() != 1 || step.scalar_type() != torch::kInt64 || step.item<int64_t>() < 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": entry 'step' is not one non-negative int64"));
    }
    torch::Tensor generator_state;
    ROMI_RETURN_IF_ERROR(ReadTensor(archive, "generator", path, generator_state));
    torch::Tensor act_generator_state;
    ROMI_RETURN_IF_ERROR(ReadTensor(archive, "act_generator", path, act_generator_state));
    torch::serialize::InputArchive modules;
    archive.read("modules", modules);
    ROMI_RETURN_IF_ERROR(LoadModuleState(*root_, modules, path, "modules"));
    torch::serialize::InputArchive targets;
    archive.read("targets", targets);
    ROMI_RETURN_IF_ERROR(LoadModuleState(*targets_, targets, path, "targets"));
    for (const auto& [name, optimizer] : optimizers_) {
      torch::serialize::InputArchive state;
      archive.read("optimizer." + name, state);
      optimizer->load(state);
      ROMI_RETURN_IF_ERROR(CheckAdamState(*optimizer, path, "optimizer." + name));
    }
    // Generator states are CPU byte tensors whatever the device.
    generator_.set_state(generator_state.cpu());
    act_generator_.set_state(act_generator_state.cpu());
    step_ = step.item<int64_t>();
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat("loading learner from ", path, ": ", e.what()));
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

std::optional<double> CriticDiscount(const LearnerConfig& config) {
  // By the algorithm's name, as FillDefaultWidths: its parameters may be unset (the defaults).
  const std::string& algorithm = config.algorithm();
  if (algorithm == "bcq") return config.bcq().discount();
  if (algorithm == "cql") return config.cql().discount();
  if (algorithm == "sac") return config.sac().discount();
  return std::nullopt;
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
