// The interface every offline RL learner implements (BC, BCQ, CQL, ...), and the state they share.
//
//   Update(batch)   one gradient step on a batch of transitions; returns named scalar metrics
//   Act(obs, det)   batched actions [B, obs_dim] -> [B, act_dim], without autograd
//   Save / Load     the complete training state: every module (targets included), every
//                   optimizer's state, the step counter and both random generators, so a run that
//                   is loaded and continued gives bit-identical results to one never interrupted
//
// Learners are created by name through learners/learner_registry.h. A learner draws its training
// randomness from its own generator (seeded from LearnerOptions::seed) and its acting randomness
// from a second one, so evaluating a policy never changes the course of training. Creating a
// learner seeds torch's global generator with the seed, because module constructors draw their
// initial weights from it.
#ifndef ROMI_LEARNERS_LEARNER_H_
#define ROMI_LEARNERS_LEARNER_H_

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "data/transitions.h"
#include "learners/learners.pb.h"
#include "learners/nn/data_parallel.h"

namespace romi::learners {

// Losses and diagnostics of one update, by name (e.g. "critic_loss", "alpha").
using Metrics = std::map<std::string, double>;

struct LearnerOptions {
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  double max_action = 1.0;  // actions lie in [-max_action, max_action]^act_dim
  LearnerConfig config;     // algorithm name and hyperparameters
  uint64_t seed = 0;
  torch::Device device = torch::kCPU;
};

class Learner {
 public:
  virtual ~Learner() = default;
  Learner(const Learner&) = delete;
  Learner& operator=(const Learner&) = delete;

  // One update on `batch` (moved to the learner's device if it lives elsewhere).
  Metrics Update(const data::Batch& batch);
  // Actions for `observations` [B, obs_dim], returned on the learner's device.
  torch::Tensor Act(const torch::Tensor& observations, bool deterministic);
  // The critic's estimate Q(s, a) [B] of `observations` [B, obs_dim] and `actions` [B, act_dim]
  // for learners that have one: the first of the twin critics, the one their q_mean / q_data
  // metrics report (BCQ, CQL, SAC). Nothing for learners without a critic (BC). Without
  // gradients, in the learner's precision, on the learner's device.
  std::optional<torch::Tensor> Value(const torch::Tensor& observations,
                                     const torch::Tensor& actions);
  // Restarts the acting randomness from `seed`: an evaluator that calls it first makes each
  // evaluation a function of the policy alone, not of how many actions were drawn before.
  void ReseedActing(uint64_t seed) { act_generator_.set_current_seed(seed); }

  absl::Status Save(const std::string& path);
  // OK when every parameter (targets included) is finite; otherwise InternalError naming the
  // first parameter that is not and one of its bad values. Cheap enough for every checkpoint.
  absl::Status CheckParametersFinite() const;
  absl::Status Load(const std::string& path);

  int64_t step() const { return step_; }
  const LearnerOptions& options() const { return options_; }
  // All trainable parameters (targets excluded), e.g. to check that an update changed them.
  std::vector<torch::Tensor> parameters() const { return root_->parameters(); }
  // The same by module path, e.g. "policy.net.linear0.weight" (what a policy file exports).
  torch::OrderedDict<std::string, torch::Tensor> named_parameters() const {
    return root_->named_parameters();
  }

 protected:
  explicit Learner(const LearnerOptions& options);

  virtual Metrics UpdateImpl(const data::Batch& batch) = 0;
  virtual torch::Tensor ActImpl(const torch::Tensor& observations, bool deterministic) = 0;
  virtual std::optional<torch::Tensor> ValueImpl(const torch::Tensor& /*observations*/,
                                                 const torch::Tensor& /*actions*/) {
    return std::nullopt;
  }

  // Makes `module` part of the checkpoint under `name`. Call before MoveToDevice().
  template <typename ModuleHolder>
  ModuleHolder RegisterModule(const std::string& name, ModuleHolder module) {
    return root_->register_module(name, std::move(module));
  }
  // A target network: checkpointed, but not in parameters() and never trained.
  template <typename ModuleHolder>
  ModuleHolder RegisterTarget(const std::string& name, ModuleHolder module) {
    for (torch::Tensor& parameter : module->parameters()) parameter.requires_grad_(false);
    return targets_->register_module(name, std::move(module));
  }
  // A free trainable tensor (e.g. SAC's log-alpha), checkpointed.
  torch::Tensor RegisterParameter(const std::string& name, torch::Tensor value);
  // Moves every registered module and parameter to options().device. Call before creating
  // optimizers.
  void MoveToDevice();
  // Makes `optimizer`'s state part of the checkpoint; the learner keeps ownership.
  void RegisterOptimizer(const std::string& name, torch::optim::Optimizer* optimizer);

  torch::Generator& generator() { return generator_; }
  torch::Generator& act_generator() { return act_generator_; }
  // How updates split their batches across cores (LearnerConfig::parallel_shards).
  const DataParallel& data_parallel() const { return data_parallel_; }

 private:
  LearnerOptions options_;
  std::shared_ptr<torch::nn::Module> root_ = std::make_shared<torch::nn::Module>("learner");
  std::shared_ptr<torch::nn::Module> targets_ = std::make_shared<torch::nn::Module>("targets");
  std::vector<std::pair<std::string, torch::optim::Optimizer*>> optimizers_;
  torch::Generator generator_;
  torch::Generator act_generator_;
  DataParallel data_parallel_;
  int64_t step_ = 0;
};

// Drops the gradients of `optimizer`'s parameters (set to none, not zeroed): the next backward
// then writes each gradient into a fresh buffer instead of adding it to zeros.
void ZeroGrad(torch::optim::Optimizer& optimizer);

// target <- (1 - tau) * target + tau * source, parameter by parameter, in place.
void SoftUpdate(const torch::nn::Module& source, torch::nn::Module& target, double tau);

// Copies the parameters of `source` into a same-shaped `target` (targets start equal).
void HardUpdate(const torch::nn::Module& source, torch::nn::Module& target);

// Writes the default network widths into every empty width list of the parameters of
// config.algorithm() (the other learners' are left alone): the one place they are defined.
// LearnerRegistry::Create applies it, so a learner's factory sees its widths; the pipeline's
// resolved config.textproto records them.
//   bc        hidden {256, 256}
//   bcq       actor_hidden, critic_hidden {400, 300}; vae_hidden {750, 750}
//   cql       policy_hidden, critic_hidden {256, 256, 256}
//   sac       policy_hidden, critic_hidden {256, 256}
void FillDefaultWidths(LearnerConfig* config);
void FillDefaultWidths(SacConfig* config);

// The discount of the critic that Learner::Value reports (bcq, cql, sac), or nothing for learners
// without a critic (bc): what a discounted return must use to be compared with Q.
std::optional<double> CriticDiscount(const LearnerConfig& config);

// A width list as the network builders take it.
std::vector<int64_t> WidthsOf(const google::protobuf::RepeatedField<int64_t>& widths);

// OK when every metric of an update is finite; otherwise InternalError naming the first that is
// not (the divergence guard: the loss scalars are already on the host, so this costs nothing).
absl::Status CheckMetricsFinite(const Metrics& metrics);

// Checks dimensions, max_action and seed-independent fields every learner needs.
absl::Status ValidateLearnerOptions(const LearnerOptions& options);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_LEARNER_H_
