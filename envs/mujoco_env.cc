#include "envs/mujoco_env.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::envs {

MujocoEnv::MujocoEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data)
    : spec_(std::move(spec)), model_(std::move(model)), data_(std::move(data)) {}

std::vector<double> MujocoEnv::Reset(uint64_t seed) {
  std::mt19937_64 rng(seed);
  mj_resetData(model_.get(), data_.get());
  ResetState(rng);
  mj_forward(model_.get(), data_.get());
  has_state_ = true;
  steps_ = 0;
  return Observation();
}

absl::Status MujocoEnv::SetState(absl::Span<const double> qpos, absl::Span<const double> qvel) {
  if (qpos.size() != size_t(model_->nq) || qvel.size() != size_t(model_->nv)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: SetState got qpos of size %d and qvel of size %d, expected %d and %d",
                        spec_.task, qpos.size(), qvel.size(), model_->nq, model_->nv));
  }
  std::copy(qpos.begin(), qpos.end(), data_->qpos);
  std::copy(qvel.begin(), qvel.end(), data_->qvel);
  mj_forward(model_.get(), data_.get());
  has_state_ = true;
  return CheckNoWarnings(*data_);
}

absl::Status MujocoEnv::SetStateFromObservation(absl::Span<const double> observation) {
  const int nq = model_->nq;
  const int nv = model_->nv;
  const int dropped = nq + nv - spec_.obs_dim;
  if (observation.size() != size_t(spec_.obs_dim) || dropped < 0 || dropped > nq) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: SetStateFromObservation got %d values, expected %d (nq %d, nv %d)",
                        spec_.task, observation.size(), spec_.obs_dim, nq, nv));
  }
  for (size_t i = 0; i < observation.size(); ++i) {
    if (!std::isfinite(observation[i])) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: observation[%d] = %f is not finite", spec_.task, i, observation[i]));
    }
  }
  std::vector<double> qpos(nq, 0.0);
  std::copy(observation.begin(), observation.begin() + (nq - dropped), qpos.begin() + dropped);
  return SetState(qpos, observation.subspan(nq - dropped, nv));
}

absl::StatusOr<StepResult> MujocoEnv::Step(absl::Span<const double> action) {
  if (action.size() != size_t(spec_.act_dim)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: action has %d elements, expected %d",
                                                      spec_.task, action.size(), spec_.act_dim));
  }
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: action[%d] = %f is not finite", spec_.task, i, action[i]));
    }
  }
  if (!has_state_) {
    return absl::FailedPreconditionError(absl::StrFormat("%s: Step before Reset", spec_.task));
  }
  const Transition transition = StepPhysics(action);
  ROMI_RETURN_IF_ERROR(CheckNoWarnings(*data_));
  ++steps_;
  StepResult result;
  result.observation = Observation();
  result.reward = transition.reward;
  result.terminated = transition.terminated;
  result.truncated = !transition.terminated && steps_ == spec_.max_episode_steps;
  return result;
}

}  // namespace romi::envs
