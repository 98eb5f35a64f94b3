// The one loop that runs a policy's episodes in a simulator: evaluation (eval/evaluator), dataset
// recording (datagen/rollout_recorder), online SAC's training and evaluation (datagen/online_sac)
// and the rollout binary all run their episodes here.
//
// Episodes run in lockstep on the envs given (the lanes): every round, the observations of the
// episodes now running form one batch, the policy is called once on it, then every lane steps
// (spread over `threads` workers). When a lane's episode ends, that lane starts the next episode
// at once, so with one lane the episodes run one after another and with as many lanes as
// episodes they all run side by side. Episode k resets with seed_of(k), called in the order the
// episodes start; the policy, the hooks and seed_of are called on the caller's thread, in lane
// order, so a caller may share one random generator among them and stay reproducible.
//
// Torch-free: observations and actions are row-major doubles.
#ifndef ROMI_ENVS_EPISODE_RUNNER_H_
#define ROMI_ENVS_EPISODE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/env.h"

namespace romi::envs {

// What the runner reports of each episode, in the order the episodes started.
struct EpisodeSummary {
  double return_sum = 0;
  int length = 0;              // steps taken
  bool terminated = false;     // the task's termination rule ended it
  bool truncated = false;      // the time limit did (neither: a hook or max_steps cut it)
  std::vector<double> states;  // with record_states: s_0 .. s_length, row-major
};

// One step of one episode, as the hooks see it.
struct EpisodeStep {
  int64_t episode = 0;                   // index in start order
  int t = 0;                             // step within the episode
  int64_t total = 0;                     // steps every episode took before this one
  absl::Span<const double> observation;  // s_t
  absl::Span<const double> action;       // a_t
  const Env* env = nullptr;              // before_step: still in s_t; after_step: in s_t+1
  const StepResult* result = nullptr;    // after_step only: s_t+1, r_t, terminated, truncated
};

enum class AfterStep { kContinue, kEndEpisode };

struct EpisodeHooks {
  // Before the env steps, e.g. to record the simulator state behind s_t.
  std::function<void(const EpisodeStep&)> before_step;
  // After it; kEndEpisode cuts the episode here (e.g. at a checkpoint). A non-OK status stops the
  // run and is returned unchanged.
  std::function<absl::StatusOr<AfterStep>(const EpisodeStep&)> after_step;
};

struct EpisodeRunOptions {
  int64_t episodes = 1;   // episodes to run
  int64_t max_steps = 0;  // > 0: stop after this many steps in all, cutting the running episodes
  int threads = 1;        // workers stepping the lanes
  bool record_states = false;
};

// Writes actions [n, act_dim] for observations [n, obs_dim] of the running `episodes` (n of them,
// in lane order). A non-OK status stops the run and is returned unchanged.
using BatchActFn =
    std::function<absl::Status(absl::Span<const int64_t> episodes,
                               absl::Span<const double> observations, absl::Span<double> actions)>;
using EpisodeSeedFn = std::function<uint64_t(int64_t episode)>;

// InvalidArgument for no lanes, lanes of different tasks, episodes < 1 or max_steps < 0; a step's
// error (a diverged simulation, non-finite actions) with the task, episode and step.
absl::StatusOr<std::vector<EpisodeSummary>> RunEpisodes(absl::Span<Env* const> lanes,
                                                        const EpisodeSeedFn& seed_of,
                                                        const BatchActFn& act,
                                                        const EpisodeRunOptions& options,
                                                        const EpisodeHooks& hooks = {});

}  // namespace romi::envs

#endif  // ROMI_ENVS_EPISODE_RUNNER_H_
