// Online SAC on a simulator: how the behaviour policies behind the generated medium and expert
// gym datasets are trained (D4RL trained its with rlkit's SAC the same way: one environment, one
// gradient step per environment step after a phase of uniform random actions).
//
//   steps [0, random_steps)       uniform random actions, no updates
//   steps [random_steps, total)   a ~ pi(. | s) (stochastic), then one SAC update on a batch
//                                 drawn uniformly from everything seen so far
//   every eval_every steps        the deterministic policy runs eval_episodes episodes
//   every checkpoint_every steps  learner.pt (networks, optimizers, RNG) and replay.pt (the
//                                 whole replay buffer, with terminals and time-outs)
//
// Resuming continues bit-for-bit: the training episode is cut (marked as a time-out) at every
// checkpoint in every run, and the batch sampler is reseeded there, so a resumed run and an
// uninterrupted one see the same episodes and batches. The replay buffer it writes is what the
// medium-replay datasets are cut from.
#ifndef ROMI_DATAGEN_ONLINE_SAC_H_
#define ROMI_DATAGEN_ONLINE_SAC_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/transitions.h"
#include "datagen/online_sac.pb.h"
#include "envs/env.h"
#include "learners/learner.h"
#include "learners/learners.pb.h"
#include "learners/nn/tanh_gaussian.h"

namespace romi::datagen {

struct OnlineEvaluation {
  int64_t step = 0;
  double return_mean = 0;
  double return_std = 0;
  double score_mean = 0;  // D4RL normalized score of return_mean (the env spec's references)
};

struct OnlineSacHooks {
  std::function<void(const std::string& line)> log;
  // After each evaluation, e.g. to keep a snapshot of the policy.
  std::function<absl::Status(const OnlineEvaluation&, learners::Learner&)> on_evaluation;
  // Tests: stop with CancelledError right after the checkpoint at this step.
  int64_t stop_after_checkpoint = -1;
};

using MakeEnvFn = std::function<absl::StatusOr<std::unique_ptr<envs::Env>>()>;

// Trains in `run_dir` (created; resumed from its checkpoint when there is one) and returns every
// evaluation so far. The resolved config is written to run_dir/config.textproto; a run resumed
// with other settings than it was started with fails with FailedPrecondition (total_steps,
// eval_every and eval_episodes may change: they do not shape the training). InvalidArgument for
// inconsistent settings; the env's errors pass through.
absl::StatusOr<std::vector<OnlineEvaluation>> TrainOnlineSac(const MakeEnvFn& make_env,
                                                             const OnlineSacConfig& config,
                                                             const std::string& run_dir,
                                                             const OnlineSacHooks& hooks = {});

// The evaluation TrainOnlineSac runs: `episodes` episodes of the deterministic policy `act` with
// the evaluation seeds of run seed `seed` (so a shipped policy's score can be re-measured).
using ActFn = std::function<std::vector<double>(const std::vector<double>& observation)>;
absl::StatusOr<OnlineEvaluation> EvaluatePolicy(envs::Env& env, const ActFn& act, int episodes,
                                                uint64_t seed, int64_t step = 0);

// OK when the policy's observation and action sizes are those of the env with `spec`; otherwise
// an error that names both.
absl::Status CheckPolicyFitsEnv(const learners::TanhGaussianPolicy& policy,
                                const envs::EnvSpec& spec);

// The deterministic actions (max_action * tanh(mean)) of a loaded policy, e.g. a policy file's,
// in an env with `spec` (CheckPolicyFitsEnv's error otherwise).
absl::StatusOr<ActFn> DeterministicActions(learners::TanhGaussianPolicy policy,
                                           const envs::EnvSpec& spec);

// A run's replay.pt: every transition so far (terminals: the env's termination rule; timeouts:
// the time limit or a checkpoint cut the episode), the episode count and the evaluations.
struct SavedReplay {
  data::Transitions transitions;
  torch::Tensor timeouts;
  int64_t episodes = 0;
  std::vector<OnlineEvaluation> curve;
};
absl::StatusOr<SavedReplay> ReadReplayBuffer(const std::string& path);

// The learner TrainOnlineSac builds for an env (also to load its checkpoints).
absl::StatusOr<std::unique_ptr<learners::Learner>> MakeSacLearner(const envs::EnvSpec& spec,
                                                                  const learners::SacConfig& sac,
                                                                  uint64_t seed);

// The shape of that learner's policy network ("policy" in its parameter names), for policy
// files (policy_file.h).
learners::TanhGaussianPolicyOptions SacPolicyOptions(const envs::EnvSpec& spec,
                                                     const learners::SacConfig& sac);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_ONLINE_SAC_H_
