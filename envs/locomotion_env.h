// Gym's planar locomotion tasks (Hopper, Walker2d, HalfCheetah; D4RL's -v2 datasets, gym v3
// dynamics) as one environment class parameterized by a LocomotionDomain.
//
// Observation: qpos[1:] (everything but the forward position x) then qvel, clipped to
// +-qvel_obs_clip. Step: ctrl = action (MuJoCo clamps it to ctrlrange, as in gym, while the
// control cost uses the raw action), frame_skip physics steps, then
//   reward = (x_after - x_before) / dt + healthy_reward - ctrl_cost_weight * sum(action^2),
//   dt = timestep * frame_skip.
// Termination applies the domain's TerminationFn to the observation with *unclipped* qvel: that
// equals gym's check on the full state (gym's hopper tests |qvel| < 100 before any clipping).
// Model rollouts, which only see clipped observations, apply the same rule to them.
//
// Each domain file (hopper.cc, walker2d.cc, halfcheetah.cc) defines its MJCF and constants and
// registers its five D4RL tasks with one RegisterLocomotionTasks call.
#ifndef ROMI_ENVS_LOCOMOTION_ENV_H_
#define ROMI_ENVS_LOCOMOTION_ENV_H_

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/env.h"
#include "envs/legacy_inertia.h"
#include "envs/mujoco_env.h"
#include "envs/termination.h"

namespace romi::envs {

enum class ResetNoise {
  kUniform,              // qpos += U(-s, s), qvel += U(-s, s)   (Hopper, Walker2d)
  kUniformPosNormalVel,  // qpos += U(-s, s), qvel += s * N(0, 1) (HalfCheetah)
};

// Writes gym's noisy initial state into `data`: qpos = qpos0 + U(-s, s) per entry, then qvel as
// `noise` says (initial qvel 0). Shared with the antmaze ant, whose reset is HalfCheetah's.
void SetNoisyInitialState(ResetNoise noise, double scale, const mjModel& model, mjData& data,
                          std::mt19937_64& rng);

struct LocomotionDomain {
  std::string name;  // Task prefix: "hopper" registers hopper-random-v2 and so on.
  const char* mjcf = nullptr;
  LegacyInertiaOptions inertia;
  int obs_dim = 0;
  int act_dim = 0;
  int frame_skip = 1;
  double ctrl_cost_weight = 0.0;
  double healthy_reward = 0.0;
  double qvel_obs_clip = 0.0;  // Infinity for no clipping.
  ResetNoise reset_noise = ResetNoise::kUniform;
  double reset_noise_scale = 0.0;
  double ref_min_score = 0.0;
  double ref_max_score = 0.0;
  TerminationFn termination;
};

// D4RL's dataset names for each gym domain: random, medium, medium-replay, medium-expert, expert.
const std::vector<std::string>& GymDatasetNames();

// Registers "<name>-<dataset>-v2" for every dataset name. Returns true (for static initializers).
bool RegisterLocomotionTasks(const LocomotionDomain& domain);

// The domain's compiled model (legacy inertia), compiled once per process and shared.
absl::StatusOr<std::shared_ptr<const mjModel>> LocomotionModel(const LocomotionDomain& domain);

class LocomotionEnv : public MujocoEnv {
 public:
  static absl::StatusOr<std::unique_ptr<LocomotionEnv>> Create(const EnvSpec& spec,
                                                               const LocomotionDomain& domain);

  std::vector<double> Observation() const override;

 protected:
  void ResetState(std::mt19937_64& rng) override;
  Transition StepPhysics(absl::Span<const double> action) override;

 private:
  LocomotionEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data,
                const LocomotionDomain& domain);
  std::vector<double> ObservationWithClip(double qvel_clip) const;

  const LocomotionDomain& domain_;  // Registered domains live for the whole process.
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_LOCOMOTION_ENV_H_
