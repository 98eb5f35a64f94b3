#include "romi/dynamics_ensemble.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"
#include "learners/nn/fused_adam.h"
#include "learners/nn/gaussian_ensemble_gradients.h"

namespace romi {
namespace {

// Per-member hold-out MSE of the mean: [E].
torch::Tensor MemberMse(learners::GaussianEnsembleImpl& net, const torch::Tensor& inputs,
                        const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  return (net.forward(inputs).mean - targets).pow(2).mean({1, 2});
}

// [E, target dim]: each member's squared error per target dimension, averaged over the rows.
torch::Tensor MemberMsePerDimension(learners::GaussianEnsembleImpl& net,
                                    const torch::Tensor& inputs, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  return (net.forward(inputs).mean - targets).pow(2).mean(1);
}

absl::Status ValidateConfig(const DynamicsConfig& config, int64_t rows) {
  if (config.members() < 1 || config.elites() < 1 || config.elites() > config.members()) {
    return absl::InvalidArgumentError(absl::StrCat("dynamics: need 1 <= elites (", config.elites(),
                                                   ") <= members (", config.members(), ")"));
  }
  if (config.hidden_layers() < 1 || config.hidden_width() < 1 || config.batch_size() < 1) {
    return absl::InvalidArgumentError(
        "dynamics: hidden_layers, hidden_width, batch_size must be >= 1");
  }
  if (config.weight_decay_size() != 0 && config.weight_decay_size() != config.hidden_layers() + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("dynamics: weight_decay lists ", config.weight_decay_size(), " values, need ",
                     config.hidden_layers() + 1, " (one per hidden layer and one for the heads)"));
  }
  if (config.patience() < 1 || config.max_epochs() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dynamics: need patience >= 1 and max_epochs >= 0 (0: until early stopping), got ",
        config.patience(), " and ", config.max_epochs()));
  }
  if (rows < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("dynamics: need at least 2 transitions to train",
                     config.skip_terminals() ? " (terminal ones skipped)" : "", ", got ", rows));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<double> DefaultWeightDecay(int hidden_layers) {
  std::vector<double> decay;
  for (int i = 0; i < hidden_layers; ++i) decay.push_back(i == 0 ? 2.5e-5 : i == 1 ? 5e-5 : 7.5e-5);
  decay.push_back(1e-4);
  return decay;
}

torch::Tensor DynamicsInputs(const data::Transitions& data, Direction direction) {
  const torch::Tensor& known = direction == REVERSE ? data.next_observations : data.observations;
  return torch::cat({known, data.actions}, 1);
}

torch::Tensor DynamicsTargets(const data::Transitions& data, Direction direction) {
  const torch::Tensor& known = direction == REVERSE ? data.next_observations : data.observations;
  const torch::Tensor& other = direction == REVERSE ? data.observations : data.next_observations;
  return torch::cat({data.rewards.unsqueeze(1), other - known}, 1);
}

DynamicsEnsemble::DynamicsEnsemble(DynamicsConfig config, int64_t obs_dim, int64_t act_dim,
                                   data::Normalizer normalizer)
    : config_(std::move(config)),
      obs_dim_(obs_dim),
      act_dim_(act_dim),
      normalizer_(std::move(normalizer)) {
  net_ = learners::GaussianEnsemble(config_.members(), obs_dim + act_dim, obs_dim + 1,
                                    config_.hidden_layers(), config_.hidden_width(),
                                    config_.max_logvar_init(), config_.min_logvar_init());
}

// One training of the ensemble, as an object so that its whole state can be checkpointed between
// epochs: everything that changes from one epoch to the next is a member here.
class DynamicsTrainer {
 public:
  DynamicsTrainer(const data::Transitions& data, const DynamicsConfig& config, uint64_t seed)
      : config_(config) {
    torch::manual_seed(seed);  // parameter initialization draws from the global generator
    generator_ = at::make_generator<at::CPUGeneratorImpl>(seed);

    // Hold-out split.
    const int64_t rows = data.size();
    holdout_size_ = std::max<int64_t>(
        1, std::min<int64_t>(config.max_holdout(),
                             static_cast<int64_t>(config.holdout_fraction() * rows)));
    const torch::Tensor order = torch::randperm(rows, generator_, torch::kInt64);
    const data::Transitions holdout_rows = data.Select(order.slice(0, 0, holdout_size_));
    const data::Transitions train_rows = data.Select(order.slice(0, holdout_size_));
    train_size_ = train_rows.size();

    const torch::Tensor raw_inputs = DynamicsInputs(train_rows, config.direction());
    model_.reset(new DynamicsEnsemble(config, data.obs_dim(), data.act_dim(),
                                      data::Normalizer::Fit(raw_inputs)));
    inputs_ = model_->normalizer_.Normalize(raw_inputs);
    targets_ = DynamicsTargets(train_rows, config.direction());
    holdout_inputs_ =
        model_->normalizer_.Normalize(DynamicsInputs(holdout_rows, config.direction()));
    holdout_targets_ = DynamicsTargets(holdout_rows, config.direction());
    weight_decay_ =
        config.weight_decay_size() > 0
            ? std::vector<double>(config.weight_decay().begin(), config.weight_decay().end())
            : DefaultWeightDecay(config.hidden_layers());
    optimizer_ = std::make_unique<learners::FusedAdam>(
        net().parameters(), torch::optim::AdamOptions(config.learning_rate()));
    if (learners::GaussianEnsembleGradients::Supported(net())) {
      gradients_ = std::make_unique<learners::GaussianEnsembleGradients>(
          net(), std::min<int64_t>(config.batch_size(), train_size_));
    }

    // Each member's bootstrap resample of the training rows; reshuffled every epoch.
    bootstrap_ = torch::randint(train_size_, {members(), train_size_}, generator_, torch::kInt64);
    // Best snapshot per member: copies of every layer's [E, ...] parameters.
    for (const auto& layer : net().layers()) {
      snapshot_.push_back(layer->weight.detach().clone());
      snapshot_.push_back(layer->bias.detach().clone());
    }
    best_.assign(members(), std::numeric_limits<double>::max());
    // What a checkpoint must match to be resumed: the config, the seed and the data's shape and
    // content (sums of its columns).
    identity_ = absl::StrCat(config.SerializeAsString(), "|seed ", seed, "|rows ", rows, "|inputs ",
                             inputs_.to(torch::kFloat64).sum().item<double>(), "|targets ",
                             targets_.to(torch::kFloat64).sum().item<double>());
  }

  bool Finished() const {
    return (config_.max_epochs() != 0 && epoch_.epoch >= config_.max_epochs()) ||
           epoch_.epochs_without_improvement >= config_.patience();
  }

  // One pass over every member's bootstrap resample, then the early-stopping bookkeeping.
  const DynamicsEpoch& RunEpoch() {
    const int64_t batch = config_.batch_size();
    const int64_t in_dim = inputs_.size(1);
    const int64_t out_dim = targets_.size(1);
    const torch::Tensor shuffle =
        torch::rand({members(), train_size_}, generator_).argsort(/*dim=*/1, /*descending=*/false);
    bootstrap_ = bootstrap_.gather(1, shuffle);
    for (int64_t begin = 0; begin < train_size_; begin += batch) {
      const int64_t size = std::min(batch, train_size_ - begin);
      const torch::Tensor index = bootstrap_.slice(1, begin, begin + size).reshape({-1});
      const torch::Tensor x = inputs_.index_select(0, index).view({members(), size, in_dim});
      const torch::Tensor y = targets_.index_select(0, index).view({members(), size, out_dim});
      if (gradients_ != nullptr) {
        gradients_->Compute(x, y, config_.logvar_bound_penalty(), weight_decay_);
      } else {
        optimizer_->zero_grad();
        learners::GaussianEnsembleLoss(net(), x, y, config_.logvar_bound_penalty(), weight_decay_)
            .backward();
      }
      optimizer_->step();
      ++epoch_.steps;
    }
    ++epoch_.epoch;

    // Early stopping on the hold-out MSE of the mean.
    const torch::Tensor mse = MemberMse(net(), holdout_inputs_, holdout_targets_);
    bool improved = false;
    epoch_.holdout_mse.assign(mse.data_ptr<float>(), mse.data_ptr<float>() + members());
    for (int64_t member = 0; member < members(); ++member) {
      const double current = epoch_.holdout_mse[member];
      if ((best_[member] - current) / best_[member] > config_.improvement_threshold()) {
        best_[member] = current;
        SaveSnapshot(member);
        improved = true;
      }
    }
    epoch_.epochs_without_improvement = improved ? 0 : epoch_.epochs_without_improvement + 1;
    return epoch_;
  }

  // Restores every member's best snapshot, ranks the members on the hold-out, picks the elites.
  std::unique_ptr<DynamicsEnsemble> Finish(double seconds) {
    {
      torch::NoGradGuard no_grad;
      size_t i = 0;
      for (const auto& layer : net().layers()) {
        layer->weight.copy_(snapshot_[i++]);
        layer->bias.copy_(snapshot_[i++]);
      }
    }
    const torch::Tensor final_mse = MemberMse(net(), holdout_inputs_, holdout_targets_);
    std::vector<double>& holdout_mse = model_->holdout_mse_;
    holdout_mse.assign(final_mse.data_ptr<float>(), final_mse.data_ptr<float>() + members());
    std::vector<int64_t> ranking(members());
    std::iota(ranking.begin(), ranking.end(), 0);
    std::stable_sort(ranking.begin(), ranking.end(),
                     [&](int64_t a, int64_t b) { return holdout_mse[a] < holdout_mse[b]; });
    model_->elites_.assign(ranking.begin(), ranking.begin() + config_.elites());
    model_->BuildEliteNetwork();

    model_->summary_.epochs = epoch_.epoch;
    model_->summary_.steps = epoch_.steps;
    model_->summary_.train_rows = train_size_;
    model_->summary_.holdout_rows = holdout_size_;
    model_->summary_.seconds = seconds_before_ + seconds;
    return std::move(model_);
  }

  absl::Status SaveCheckpoint(const std::string& path, double seconds) {
    torch::serialize::OutputArchive archive;
    try {
      archive.write("identity", c10::IValue(identity_));
      torch::serialize::OutputArchive network;
      net().save(network);
      archive.write("network", network);
      torch::serialize::OutputArchive optimizer;
      optimizer_->save(optimizer);
      archive.write("optimizer", optimizer);
      for (size_t i = 0; i < snapshot_.size(); ++i) {
        archive.write(absl::StrCat("snapshot.", i), snapshot_[i]);
      }
      archive.write("best", torch::tensor(best_, torch::kFloat64));
      archive.write("bootstrap", bootstrap_);
      archive.write("generator", generator_.get_state());
      archive.write("counters",
                    torch::tensor({static_cast<int64_t>(epoch_.epoch), epoch_.steps,
                                   static_cast<int64_t>(epoch_.epochs_without_improvement)},
                                  torch::kInt64));
      archive.write("seconds", torch::tensor(seconds_before_ + seconds, torch::kFloat64));
    } catch (const std::exception& e) {
      return absl::InternalError(
          absl::StrCat("saving the dynamics training checkpoint ", path, ": ", e.what()));
    }
    return learners::SaveArchive(archive, path);
  }

  absl::Status LoadCheckpoint(const std::string& path) {
    torch::serialize::InputArchive archive;
    ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
    try {
      c10::IValue identity;
      if (!archive.try_read("identity", identity) || !identity.isString()) {
        return absl::DataLossError(
            absl::StrCat(path, ": not a dynamics training checkpoint (no 'identity')"));
      }
      if (identity.toStringRef() != identity_) {
        return absl::FailedPreconditionError(
            absl::StrCat(path,
                         " is the checkpoint of another dynamics training (other config, seed or "
                         "data); delete it to start over"));
      }
      torch::serialize::InputArchive network;
      archive.read("network", network);
      net().load(network);
      torch::serialize::InputArchive optimizer;
      archive.read("optimizer", optimizer);
      optimizer_->load(optimizer);
      for (size_t i = 0; i < snapshot_.size(); ++i) {
        torch::Tensor value;
        archive.read(absl::StrCat("snapshot.", i), value);
        if (!value.sizes().equals(snapshot_[i].sizes())) {
          return absl::DataLossError(absl::StrCat(path, ": snapshot.", i, " has the wrong shape"));
        }
        snapshot_[i] = value;
      }
      torch::Tensor best, generator, counters, seconds;
      archive.read("best", best);
      archive.read("bootstrap", bootstrap_);
      archive.read("generator", generator);
      archive.read("counters", counters);
      archive.read("seconds", seconds);
      if (best.numel() != members() || counters.numel() != 3 ||
          !bootstrap_.sizes().equals({members(), train_size_})) {
        return absl::DataLossError(absl::StrCat(path,
                                                ": best, bootstrap or counters has the "
                                                "wrong shape"));
      }
      best_.assign(best.data_ptr<double>(), best.data_ptr<double>() + members());
      generator_.set_state(generator);
      epoch_.epoch = static_cast<int>(counters[0].item<int64_t>());
      epoch_.steps = counters[1].item<int64_t>();
      epoch_.epochs_without_improvement = static_cast<int>(counters[2].item<int64_t>());
      seconds_before_ = seconds.item<double>();
    } catch (const c10::Error& error) {
      return absl::DataLossError(absl::StrCat(path,
                                              ": cannot load the dynamics training "
                                              "checkpoint: ",
                                              error.what_without_backtrace()));
    }
    return absl::OkStatus();
  }

 private:
  learners::GaussianEnsembleImpl& net() { return *model_->net_; }
  int64_t members() const { return config_.members(); }

  void SaveSnapshot(int64_t member) {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (const auto& layer : net().layers()) {
      snapshot_[i++][member].copy_(layer->weight[member]);
      snapshot_[i++][member].copy_(layer->bias[member]);
    }
  }

  const DynamicsConfig& config_;
  std::string identity_;  // computed once: the sums read every training row
  torch::Generator generator_;
  int64_t holdout_size_ = 0;
  int64_t train_size_ = 0;
  std::unique_ptr<DynamicsEnsemble> model_;
  torch::Tensor inputs_, targets_, holdout_inputs_, holdout_targets_;
  std::vector<double> weight_decay_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  // The hand-written gradients where they apply (fp32 on the CPU), else autograd.
  std::unique_ptr<learners::GaussianEnsembleGradients> gradients_;
  torch::Tensor bootstrap_;
  std::vector<torch::Tensor> snapshot_;
  std::vector<double> best_;
  DynamicsEpoch epoch_;
  double seconds_before_ = 0;  // spent in earlier working periods (from the checkpoint)
};

absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> DynamicsEnsemble::Train(
    const data::Transitions& all_rows, const DynamicsConfig& config, uint64_t seed,
    const DynamicsTrainingOptions& options) {
  const data::Transitions data = config.skip_terminals() ? all_rows.NonTerminal() : all_rows;
  ROMI_RETURN_IF_ERROR(ValidateConfig(config, data.size()));
  const auto start_time = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  };
  DynamicsTrainer trainer(data, config, seed);
  const std::string& checkpoint = options.checkpoint_path;
  if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) {
    ROMI_RETURN_IF_ERROR(trainer.LoadCheckpoint(checkpoint));
  }
  while (!trainer.Finished()) {
    const DynamicsEpoch& epoch = trainer.RunEpoch();
    for (size_t member = 0; member < epoch.holdout_mse.size(); ++member) {
      if (std::isfinite(epoch.holdout_mse[member])) continue;
      return absl::InternalError(absl::StrCat(
          "the dynamics training diverged at epoch ", epoch.epoch, ": member ", member,
          "'s hold-out MSE is ", epoch.holdout_mse[member], "; ",
          checkpoint.empty()
              ? std::string("no checkpoint is kept")
              : absl::StrCat("the checkpoint of the epoch before (", checkpoint, ") is kept")));
    }
    if (!checkpoint.empty()) ROMI_RETURN_IF_ERROR(trainer.SaveCheckpoint(checkpoint, elapsed()));
    if (options.progress) ROMI_RETURN_IF_ERROR(options.progress(epoch));
  }
  return trainer.Finish(elapsed());
}

void DynamicsEnsemble::BuildEliteNetwork() {
  torch::NoGradGuard no_grad;
  const int64_t count = static_cast<int64_t>(elites_.size());
  elite_net_ = learners::GaussianEnsemble(count, obs_dim_ + act_dim_, obs_dim_ + 1,
                                          config_.hidden_layers(), config_.hidden_width(),
                                          config_.max_logvar_init(), config_.min_logvar_init());
  const torch::Tensor index = torch::tensor(elites_, torch::kInt64);
  for (size_t l = 0; l < net_->layers().size(); ++l) {
    elite_net_->layers()[l]->weight.copy_(net_->layers()[l]->weight.index_select(0, index));
    elite_net_->layers()[l]->bias.copy_(net_->layers()[l]->bias.index_select(0, index));
  }
  elite_net_->max_log_var.copy_(net_->max_log_var);
  elite_net_->min_log_var.copy_(net_->min_log_var);
  elite_net_->eval();
}

DynamicsEnsemble::Prediction DynamicsEnsemble::Sample(const torch::Tensor& known_states,
                                                      const torch::Tensor& actions,
                                                      torch::Generator& generator,
                                                      bool deterministic) const {
  torch::NoGradGuard no_grad;
  const int64_t rows = known_states.size(0);
  const torch::Tensor x = normalizer_.Normalize(torch::cat({known_states, actions}, 1));
  const learners::GaussianOutput out = elite_net_.ptr()->forward(x);  // [elites, B, out]
  // One elite per row: gather that member's mean and log-variance, then sample only those rows.
  const torch::Tensor member =
      torch::randint(static_cast<int64_t>(elites_.size()), {1, rows, 1}, generator, torch::kInt64)
          .expand({1, rows, out.mean.size(2)});
  torch::Tensor prediction = out.mean.gather(0, member).squeeze(0);
  if (!deterministic) {
    const torch::Tensor std = out.log_var.gather(0, member).squeeze(0).mul(0.5).exp();
    prediction = prediction + std * at::randn(prediction.sizes(), generator, prediction.options());
  }
  return {known_states + prediction.slice(1, 1), prediction.select(1, 0)};
}

torch::Tensor DynamicsEnsemble::EvaluateMse(const data::Transitions& data) const {
  const torch::Tensor inputs = normalizer_.Normalize(DynamicsInputs(data, direction()));
  return MemberMse(*net_.ptr(), inputs, DynamicsTargets(data, direction()));
}

torch::Tensor DynamicsEnsemble::EvaluateMsePerDimension(const data::Transitions& data) const {
  const torch::Tensor inputs = normalizer_.Normalize(DynamicsInputs(data, direction()));
  return MemberMsePerDimension(*net_.ptr(), inputs, DynamicsTargets(data, direction()));
}

// -----------------------------------------------------------------------------------------------
// Persistence: one torch archive holding the network, the normalizer, the elites and the config.

absl::Status DynamicsEnsemble::Save(const std::string& path) const {
  torch::serialize::OutputArchive archive;
  net_.ptr()->save(archive);
  archive.write("normalizer_mean", normalizer_.mean());
  archive.write("normalizer_std", normalizer_.std());
  archive.write("elites", torch::tensor(elites_, torch::kInt64));
  archive.write("holdout_mse", torch::tensor(holdout_mse_, torch::kFloat64));
  archive.write("dims", torch::tensor({obs_dim_, act_dim_}, torch::kInt64));
  archive.write("config", c10::IValue(config_.SerializeAsString()));
  return learners::SaveArchive(archive, path);
}

absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> DynamicsEnsemble::Load(const std::string& path) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  try {
    c10::IValue config_bytes;
    if (!archive.try_read("config", config_bytes) || !config_bytes.isString()) {
      return absl::DataLossError(absl::StrCat(path, ": not a dynamics model (no 'config')"));
    }
    DynamicsConfig config;
    if (!config.ParseFromString(config_bytes.toStringRef())) {
      return absl::DataLossError(absl::StrCat(path, ": corrupt 'config'"));
    }
    torch::Tensor dims, mean, std, elites, holdout;
    archive.read("dims", dims);
    archive.read("normalizer_mean", mean);
    archive.read("normalizer_std", std);
    archive.read("elites", elites);
    archive.read("holdout_mse", holdout);
    data::NormalizerProto normalizer_proto;
    for (int64_t i = 0; i < mean.numel(); ++i) {
      normalizer_proto.add_mean(mean[i].item<float>());
      normalizer_proto.add_std(std[i].item<float>());
    }
    ROMI_ASSIGN_OR_RETURN(data::Normalizer normalizer,
                          data::Normalizer::FromProto(normalizer_proto));
    const int64_t obs_dim = dims[0].item<int64_t>();
    const int64_t act_dim = dims[1].item<int64_t>();
    if (normalizer.dims() != obs_dim + act_dim) {
      return absl::DataLossError(absl::StrCat(path, ": normalizer has ", normalizer.dims(),
                                              " dims, model inputs ", obs_dim + act_dim));
    }
    std::unique_ptr<DynamicsEnsemble> model(
        new DynamicsEnsemble(config, obs_dim, act_dim, std::move(normalizer)));
    model->net_->load(archive);
    model->elites_.assign(elites.data_ptr<int64_t>(), elites.data_ptr<int64_t>() + elites.numel());
    model->holdout_mse_.assign(holdout.data_ptr<double>(),
                               holdout.data_ptr<double>() + holdout.numel());
    model->BuildEliteNetwork();
    return model;
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": cannot load dynamics model: ", error.what_without_backtrace()));
  }
}

}  // namespace romi
