// ROMI's learned dynamics: a probabilistic ensemble that predicts, from a known state and an
// action, the other state of the transition and its reward. REVERSE (ROMI) predicts the previous
// state from the next one, p(s, r | s', a); FORWARD (FOMI, the ablation) predicts p(s', r | s, a).
// One class, one training procedure, two directions.
//
// Training (MBPO's and ROMI's public code, every number in DynamicsConfig):
//   inputs [known_state, a] z-scored on the training split; targets [r, other_state - known_state]
//   (not normalized); a hold-out of min(20 %, 1000) transitions; each member trains on its own
//   bootstrap resample, reshuffled every epoch; Gaussian NLL with soft-bounded log-variance,
//   per-layer weight decay; a member's snapshot is kept whenever its hold-out MSE improves by > 1
//   %, training stops after 6 epochs without any improvement and every member is restored to its
//   snapshot. The `elites` members with the lowest hold-out MSE are chosen once and saved with the
//   model (ROMI's public code re-picks them at random at load time; we don't, so runs are
//   reproducible).
// Sampling: the elites predict as one batched op, each row draws N(mean, var) from one random
// elite.
#ifndef ROMI_ROMI_DYNAMICS_ENSEMBLE_H_
#define ROMI_ROMI_DYNAMICS_ENSEMBLE_H_

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/normalizer.h"
#include "data/transitions.h"
#include "learners/nn/gaussian_ensemble.h"
#include "romi/dynamics.pb.h"

namespace romi {

// Progress after each training epoch.
struct DynamicsEpoch {
  int epoch = 0;
  int64_t steps = 0;                // gradient steps so far
  std::vector<double> holdout_mse;  // per member, this epoch
  int epochs_without_improvement = 0;
};

// How a training is observed and made resumable.
struct DynamicsTrainingOptions {
  // Called after every epoch; a non-OK status stops the training, which returns it (the state of
  // that epoch is already in the checkpoint, so a later call with the same checkpoint resumes).
  std::function<absl::Status(const DynamicsEpoch&)> progress;
  // When set, the whole training state (weights, Adam moments, the members' snapshots and
  // best hold-out errors, the bootstrap order, the generator and the counters) is written there
  // atomically after every epoch, and a training that finds the file resumes from it: an
  // interrupted and resumed training gives bit-identical results to an uninterrupted one (same
  // thread count). The caller deletes the file once the trained model is saved.
  std::string checkpoint_path;
};

struct DynamicsTrainingSummary {
  int epochs = 0;
  int64_t steps = 0;
  double seconds = 0;
  int64_t train_rows = 0;
  int64_t holdout_rows = 0;
};

class DynamicsEnsemble {
 public:
  // Trains on `data` (s, a, r, s' rows). Deterministic in `seed` for a fixed thread count.
  // A checkpoint made for another config, seed or data is a FailedPrecondition naming the file.
  static absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> Train(
      const data::Transitions& data, const DynamicsConfig& config, uint64_t seed,
      const DynamicsTrainingOptions& options = {});
  static absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> Load(const std::string& path);
  // Writes atomically.
  absl::Status Save(const std::string& path) const;

  struct Prediction {
    torch::Tensor states;   // [B, obs_dim] the other state: s (REVERSE) or s' (FORWARD)
    torch::Tensor rewards;  // [B]
  };
  // known_states: s' (REVERSE) or s (FORWARD), [B, obs_dim]; actions [B, act_dim]. Each row uses
  // one elite drawn uniformly; `deterministic` returns that elite's mean instead of a sample.
  Prediction Sample(const torch::Tensor& known_states, const torch::Tensor& actions,
                    torch::Generator& generator, bool deterministic = false) const;

  // One-step MSE of every member's mean on `data`, in the target space [r, state delta]: [E].
  torch::Tensor EvaluateMse(const data::Transitions& data) const;
  // The same per target dimension (reward first, then each state dimension): [E, 1 + obs_dim].
  torch::Tensor EvaluateMsePerDimension(const data::Transitions& data) const;

  Direction direction() const { return config_.direction(); }
  const DynamicsConfig& config() const { return config_; }
  int64_t obs_dim() const { return obs_dim_; }
  int64_t act_dim() const { return act_dim_; }
  // Member indices of the elites, best first.
  const std::vector<int64_t>& elites() const { return elites_; }
  // Hold-out MSE of every member after restoring its best snapshot.
  const std::vector<double>& holdout_mse() const { return holdout_mse_; }
  const DynamicsTrainingSummary& training_summary() const { return summary_; }
  const data::Normalizer& input_normalizer() const { return normalizer_; }

 private:
  DynamicsEnsemble(DynamicsConfig config, int64_t obs_dim, int64_t act_dim,
                   data::Normalizer normalizer);
  friend class DynamicsTrainer;
  // Copies the elite members into `elite_net_`, the network that Sample runs.
  void BuildEliteNetwork();

  DynamicsConfig config_;
  int64_t obs_dim_;
  int64_t act_dim_;
  data::Normalizer normalizer_;
  learners::GaussianEnsemble net_{nullptr};
  learners::GaussianEnsemble elite_net_{nullptr};
  std::vector<int64_t> elites_;
  std::vector<double> holdout_mse_;
  DynamicsTrainingSummary summary_;
};

// The model's inputs [known_state, a] and targets [r, other_state - known_state] for a direction.
torch::Tensor DynamicsInputs(const data::Transitions& data, Direction direction);
torch::Tensor DynamicsTargets(const data::Transitions& data, Direction direction);

// The default per-layer weight decays (input layer first, heads last) for `hidden_layers` layers.
std::vector<double> DefaultWeightDecay(int hidden_layers);

}  // namespace romi

#endif  // ROMI_ROMI_DYNAMICS_ENSEMBLE_H_
