// The common shell of every native MuJoCo environment: episode bookkeeping, action checks,
// warning checks, time limit, and state access for controllers and dataset generators.
//
// A subclass supplies three things: the reset distribution (ResetState), the physics step with
// its reward and termination (StepPhysics), and the observation (Observation). It holds a shared
// read-only mjModel and owns one mjData.
#ifndef ROMI_ENVS_MUJOCO_ENV_H_
#define ROMI_ENVS_MUJOCO_ENV_H_

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "envs/env.h"
#include "envs/mujoco_model.h"

namespace romi::envs {

class MujocoEnv : public Env {
 public:
  const EnvSpec& Spec() const final { return spec_; }
  std::vector<double> Reset(uint64_t seed) final;
  absl::StatusOr<StepResult> Step(absl::Span<const double> action) final;

  // The observation of the current state (what Reset and Step return).
  virtual std::vector<double> Observation() const = 0;

  // Generalized positions and velocities (D4RL's infos/qpos, infos/qvel).
  absl::Span<const double> qpos() const { return {data_->qpos, size_t(model_->nq)}; }
  absl::Span<const double> qvel() const { return {data_->qvel, size_t(model_->nv)}; }

  // Sets the simulator state and recomputes derived quantities (gym's set_state). Counts as a
  // reset for Step's precondition but does not restart the episode's step count.
  absl::Status SetState(absl::Span<const double> qpos, absl::Span<const double> qvel);

  // Env's replay hook for the observation layout every task here uses: qpos without its first
  // nq + nv - obs_dim entries (set to 0: the forward position of the locomotion tasks), then qvel.
  absl::Status SetStateFromObservation(absl::Span<const double> observation) override;

  // Steps taken since the last Reset.
  int steps() const { return steps_; }

  const mjModel& model() const { return *model_; }
  const mjData& data() const { return *data_; }

 protected:
  MujocoEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data);

  // Writes the episode's initial qpos/qvel into mutable_data(), which was just mj_resetData'd.
  virtual void ResetState(std::mt19937_64& rng) = 0;

  struct Transition {
    double reward = 0.0;
    bool terminated = false;
  };
  // Applies a size-checked, finite action for one environment step (frame_skip physics steps).
  virtual Transition StepPhysics(absl::Span<const double> action) = 0;

  mjData* mutable_data() { return data_.get(); }

 private:
  EnvSpec spec_;
  std::shared_ptr<const mjModel> model_;
  MjDataPtr data_;
  bool has_state_ = false;
  int steps_ = 0;
};

}  // namespace romi::envs

#endif  // ROMI_ENVS_MUJOCO_ENV_H_
