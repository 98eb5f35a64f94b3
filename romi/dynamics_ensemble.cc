#include "romi/dynamics_ensemble.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/archive_io.h"

namespace romi {
namespace {

// Per-member hold-out MSE of the mean: [E].
torch::Tensor MemberMse(GaussianEnsembleImpl& net, const torch::Tensor& inputs,
                        const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  return (net.forward(inputs).mean - targets).pow(2).mean({1, 2});
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
  if (rows < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("dynamics: need at least 2 transitions to train, got ", rows));
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
  net_ = GaussianEnsemble(config_.members(), obs_dim + act_dim, obs_dim + 1,
                          config_.hidden_layers(), config_.hidden_width(),
                          config_.max_logvar_init(), config_.min_logvar_init());
}

absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> DynamicsEnsemble::Train(
    const data::Transitions& data, const DynamicsConfig& config, uint64_t seed,
    const ProgressCallback& progress) {
  ROMI_RETURN_IF_ERROR(ValidateConfig(config, data.size()));
  const auto start_time = std::chrono::steady_clock::now();
  torch::manual_seed(seed);  // parameter initialization draws from the global generator
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);

  // Hold-out split.
  const int64_t rows = data.size();
  const int64_t holdout = std::max<int64_t>(
      1, std::min<int64_t>(config.max_holdout(),
                           static_cast<int64_t>(config.holdout_fraction() * rows)));
  const torch::Tensor order = torch::randperm(rows, generator, torch::kInt64);
  const data::Transitions holdout_rows = data.Select(order.slice(0, 0, holdout));
  const data::Transitions train_rows = data.Select(order.slice(0, holdout));
  const int64_t train_size = train_rows.size();

  const torch::Tensor raw_inputs = DynamicsInputs(train_rows, config.direction());
  std::unique_ptr<DynamicsEnsemble> model(new DynamicsEnsemble(
      config, data.obs_dim(), data.act_dim(), data::Normalizer::Fit(raw_inputs)));
  GaussianEnsembleImpl& net = *model->net_;
  const torch::Tensor inputs = model->normalizer_.Normalize(raw_inputs);
  const torch::Tensor targets = DynamicsTargets(train_rows, config.direction());
  const torch::Tensor holdout_inputs =
      model->normalizer_.Normalize(DynamicsInputs(holdout_rows, config.direction()));
  const torch::Tensor holdout_targets = DynamicsTargets(holdout_rows, config.direction());

  const std::vector<double> weight_decay =
      config.weight_decay_size() > 0
          ? std::vector<double>(config.weight_decay().begin(), config.weight_decay().end())
          : DefaultWeightDecay(config.hidden_layers());
  torch::optim::Adam optimizer(net.parameters(), torch::optim::AdamOptions(config.learning_rate()));

  // Each member's bootstrap resample of the training rows; reshuffled every epoch.
  const int64_t members = config.members();
  torch::Tensor bootstrap =
      torch::randint(train_size, {members, train_size}, generator, torch::kInt64);

  // Best snapshot per member: copies of every layer's [E, ...] parameters.
  std::vector<torch::Tensor> snapshot;
  for (const auto& layer : net.layers()) {
    snapshot.push_back(layer->weight.detach().clone());
    snapshot.push_back(layer->bias.detach().clone());
  }
  std::vector<double> best(members, std::numeric_limits<double>::max());
  const auto save_member = [&](int64_t member) {
    size_t i = 0;
    for (const auto& layer : net.layers()) {
      snapshot[i++][member].copy_(layer->weight[member]);
      snapshot[i++][member].copy_(layer->bias[member]);
    }
  };

  DynamicsEpoch epoch_report;
  const int64_t batch = config.batch_size();
  const int64_t in_dim = inputs.size(1);
  const int64_t out_dim = targets.size(1);
  while (config.max_epochs() == 0 || epoch_report.epoch < config.max_epochs()) {
    const torch::Tensor shuffle =
        torch::rand({members, train_size}, generator).argsort(/*dim=*/1, /*descending=*/false);
    bootstrap = bootstrap.gather(1, shuffle);
    for (int64_t begin = 0; begin < train_size; begin += batch) {
      const int64_t size = std::min(batch, train_size - begin);
      const torch::Tensor index = bootstrap.slice(1, begin, begin + size).reshape({-1});
      const torch::Tensor x = inputs.index_select(0, index).view({members, size, in_dim});
      const torch::Tensor y = targets.index_select(0, index).view({members, size, out_dim});
      const GaussianOutput out = net.forward(x);
      const torch::Tensor nll =
          ((out.mean - y).pow(2) * torch::exp(-out.log_var) + out.log_var).mean({1, 2}).sum();
      torch::Tensor loss =
          nll + config.logvar_bound_penalty() * (net.max_log_var.sum() - net.min_log_var.sum());
      for (size_t l = 0; l < net.layers().size(); ++l) {
        loss = loss + weight_decay[l] * 0.5 * net.layers()[l]->weight.pow(2).sum();
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      ++epoch_report.steps;
    }
    ++epoch_report.epoch;

    // Early stopping on the hold-out MSE of the mean.
    const torch::Tensor mse = MemberMse(net, holdout_inputs, holdout_targets);
    bool improved = false;
    epoch_report.holdout_mse.assign(mse.data_ptr<float>(), mse.data_ptr<float>() + members);
    for (int64_t member = 0; member < members; ++member) {
      const double current = epoch_report.holdout_mse[member];
      if ((best[member] - current) / best[member] > config.improvement_threshold()) {
        best[member] = current;
        torch::NoGradGuard no_grad;
        save_member(member);
        improved = true;
      }
    }
    epoch_report.epochs_without_improvement =
        improved ? 0 : epoch_report.epochs_without_improvement + 1;
    if (progress) progress(epoch_report);
    if (epoch_report.epochs_without_improvement >= config.patience()) break;
  }

  // Restore every member's best snapshot, then rank the members on the hold-out.
  {
    torch::NoGradGuard no_grad;
    size_t i = 0;
    for (const auto& layer : net.layers()) {
      layer->weight.copy_(snapshot[i++]);
      layer->bias.copy_(snapshot[i++]);
    }
  }
  const torch::Tensor final_mse = MemberMse(net, holdout_inputs, holdout_targets);
  model->holdout_mse_.assign(final_mse.data_ptr<float>(), final_mse.data_ptr<float>() + members);
  std::vector<int64_t> ranking(members);
  std::iota(ranking.begin(), ranking.end(), 0);
  std::stable_sort(ranking.begin(), ranking.end(), [&](int64_t a, int64_t b) {
    return model->holdout_mse_[a] < model->holdout_mse_[b];
  });
  model->elites_.assign(ranking.begin(), ranking.begin() + config.elites());
  model->BuildEliteNetwork();

  model->summary_.epochs = epoch_report.epoch;
  model->summary_.steps = epoch_report.steps;
  model->summary_.train_rows = train_size;
  model->summary_.holdout_rows = holdout;
  model->summary_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return model;
}

void DynamicsEnsemble::BuildEliteNetwork() {
  torch::NoGradGuard no_grad;
  const int64_t count = static_cast<int64_t>(elites_.size());
  elite_net_ = GaussianEnsemble(count, obs_dim_ + act_dim_, obs_dim_ + 1, config_.hidden_layers(),
                                config_.hidden_width(), config_.max_logvar_init(),
                                config_.min_logvar_init());
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
  const GaussianOutput out = elite_net_.ptr()->forward(x);  // [elites, B, out]
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
