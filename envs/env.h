// The environment interface the evaluator, the dataset generators and the tests program against.
//
// An Env is one episode-running simulator instance: not thread-safe, cheap to create (the
// compiled MuJoCo model behind it is shared read-only by every instance of a task), so parallel
// evaluation gives each thread its own Env. Create one by D4RL task name with MakeEnv
// (registry.h).
//
// Episodes follow gym's TimeLimit: `truncated` is true on the step that reaches
// max_episode_steps (unless that step also terminated). Stepping on past the limit is allowed
// (maze2d's dataset is one long trajectory); it is the caller's job to stop or Reset.
#ifndef ROMI_ENVS_ENV_H_
#define ROMI_ENVS_ENV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/termination.h"

namespace romi::envs {

// What a task is, independent of any instance: everything a learner or evaluator needs to know.
struct EnvSpec {
  std::string task;  // D4RL name, e.g. "hopper-medium-v2".
  // Simulator family: "maze2d", "antmaze", "hopper", "walker2d", "halfcheetah".
  std::string domain;
  int obs_dim = 0;
  int act_dim = 0;
  std::vector<double> action_low;   // act_dim entries.
  std::vector<double> action_high;  // act_dim entries.
  int max_episode_steps = 0;
  // D4RL's reference returns for the normalized score (normalized_score.h).
  double ref_min_score = 0.0;
  double ref_max_score = 0.0;
  TerminationFn termination;
};

struct StepResult {
  std::vector<double> observation;
  double reward = 0.0;
  bool terminated = false;  // The task's termination rule fired (e.g. the hopper fell).
  bool truncated = false;   // This step reached max_episode_steps.
};

class Env {
 public:
  virtual ~Env() = default;

  virtual const EnvSpec& Spec() const = 0;

  // Starts an episode; the initial state is a pure function of the seed, and the dynamics are
  // deterministic, so the same seed and actions give bit-identical trajectories.
  virtual std::vector<double> Reset(uint64_t seed) = 0;

  // Advances one environment step. Errors: InvalidArgumentError for an action of the wrong size
  // or with non-finite entries; FailedPreconditionError before the first Reset; InternalError
  // when MuJoCo raised a warning (the simulation diverged), as mujoco-py raised an exception.
  virtual absl::StatusOr<StepResult> Step(absl::Span<const double> action) = 0;

  // Puts the simulator in a state this observation describes, so that a transition (s, a, s')
  // from a dataset or a model can be replayed from s (what a Step after it returns is the
  // simulator's s'). Exact where the observation is the full state (maze2d, antmaze); the
  // locomotion tasks drop the x position, which nothing depends on, and clip velocities, so there
  // it is exact for observations whose velocities were not clipped. Counts as a Reset for Step's
  // precondition. UnimplementedError for an env that cannot do it.
  virtual absl::Status SetStateFromObservation(absl::Span<const double> observation) {
    return absl::UnimplementedError(Spec().task + ": cannot set the state from an observation");
  }
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_ENV_H_
