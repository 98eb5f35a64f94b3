// The evaluator: runs episodes of a policy in the native simulator and scores them the way D4RL
// does (undiscounted return -> normalized score, envs/normalized_score.h).
//
// The episodes run in lockstep, one env (one mjData) per episode: every step the observations of
// all running episodes form one batch and the policy is called once on it. Acting with a network
// costs far more than a MuJoCo step, so one batched forward per step beats N threads each running
// a batch of one; the env steps themselves are spread over `threads` workers (the episode loop is
// envs/episode_runner.h). Episode i resets with a seed derived from (options.seed, i), so an
// evaluation is reproducible.
#ifndef ROMI_EVAL_EVALUATOR_H_
#define ROMI_EVAL_EVALUATOR_H_

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/stats.h"

namespace romi::eval {

// Actions [B, act_dim] for observations [B, obs_dim] (float32, CPU). Called under NoGradGuard.
using BatchPolicy = std::function<torch::Tensor(const torch::Tensor& observations)>;

struct EvaluationOptions {
  int episodes = 10;
  uint64_t seed = 0;
  int threads = 1;             // workers stepping the envs
  bool record_states = false;  // keep every visited state (for the trajectory discrepancy)
  // > 0: also each episode's return discounted by this factor and its first (s, a), to compare
  // with what a critic predicts for them (eval/q_calibration.cc).
  double discount = 0;
};

struct EvaluationReport {
  std::vector<double> returns;  // per episode
  std::vector<double> scores;   // D4RL normalized, per episode
  std::vector<int> lengths;     // steps per episode
  // With record_states: episode i's visited states s_0 .. s_T as float32 [T + 1, obs_dim].
  std::vector<torch::Tensor> trajectories;
  // With discount > 0: per episode, sum over t of discount^t r_t, and s_0, a_0 as float32 rows.
  std::vector<double> discounted_returns;
  torch::Tensor first_observations;  // [episodes, obs_dim]
  torch::Tensor first_actions;       // [episodes, act_dim]
  double seconds = 0;

  double ReturnMean() const;
  double ReturnStd() const;  // population std over episodes, as D4RL reports
  double ScoreMean() const;
  double ScoreStd() const;
};

// A critic: Q(s, a) for observations [B, obs_dim] and actions [B, act_dim] as [B], or nullopt
// when the learner has none (learners::Learner::Value).
using ValueFunction =
    std::function<std::optional<torch::Tensor>(const torch::Tensor&, const torch::Tensor&)>;

// How far a critic's value of each episode's start, Q(s_0, a_0), lies from the discounted return
// the policy then collected (positive: overestimation). Per episode and as population mean ± std.
struct StartValueCalibration {
  std::vector<double> q_start;  // per episode
  MeanStd q;
  MeanStd discounted_return;
  MeanStd gap;  // q_start - discounted return, per episode
};

// Of a report made with discount > 0; nullopt when `value` has no critic. The one computation
// behind the suite's per-evaluation columns and //eval:q_calibration.
std::optional<StartValueCalibration> CalibrateStartValues(const EvaluationReport& report,
                                                          const ValueFunction& value);

// InvalidArgument for episodes < 1 or a policy that returns the wrong shape; the env's error
// (e.g. a diverged simulation or non-finite actions) with the task, episode and step otherwise.
absl::StatusOr<EvaluationReport> Evaluate(const std::string& task, const BatchPolicy& policy,
                                          const EvaluationOptions& options);

}  // namespace romi::eval

#endif  // ROMI_EVAL_EVALUATOR_H_
