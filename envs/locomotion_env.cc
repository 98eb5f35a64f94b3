#include "envs/locomotion_env.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/registry.h"

namespace romi::envs {

const std::vector<std::string>& GymDatasetNames() {
  static const auto* const names =
      new std::vector<std::string>{"random", "medium", "medium-replay", "medium-expert", "expert"};
  return *names;
}

void SetNoisyInitialState(ResetNoise noise, double scale, const mjModel& model, mjData& data,
                          std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(-scale, scale);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int i = 0; i < model.nq; ++i) data.qpos[i] = model.qpos0[i] + uniform(rng);
  for (int i = 0; i < model.nv; ++i) {
    data.qvel[i] = noise == ResetNoise::kUniform ? uniform(rng) : scale * normal(rng);
  }
}

absl::StatusOr<std::shared_ptr<const mjModel>> LocomotionModel(const LocomotionDomain& domain) {
  return SharedModel(absl::StrCat("locomotion:", domain.name),
                     [&domain] { return CompileWithLegacyInertia(domain.mjcf, domain.inertia); });
}

bool RegisterLocomotionTasks(const LocomotionDomain& domain) {
  for (const std::string& dataset : GymDatasetNames()) {
    EnvSpec spec;
    spec.task = absl::StrCat(domain.name, "-", dataset, "-v2");
    spec.domain = domain.name;
    spec.obs_dim = domain.obs_dim;
    spec.act_dim = domain.act_dim;
    spec.action_low.assign(domain.act_dim, -1.0);
    spec.action_high.assign(domain.act_dim, 1.0);
    spec.max_episode_steps = 1000;
    spec.ref_min_score = domain.ref_min_score;
    spec.ref_max_score = domain.ref_max_score;
    spec.termination = domain.termination;
    RegisterTask(std::move(spec),
                 [&domain](const EnvSpec& s) -> absl::StatusOr<std::unique_ptr<Env>> {
                   ROMI_ASSIGN_OR_RETURN(std::unique_ptr<LocomotionEnv> env,
                                         LocomotionEnv::Create(s, domain));
                   return std::unique_ptr<Env>(std::move(env));
                 });
  }
  return true;
}

absl::StatusOr<std::unique_ptr<LocomotionEnv>> LocomotionEnv::Create(
    const EnvSpec& spec, const LocomotionDomain& domain) {
  ROMI_ASSIGN_OR_RETURN(std::shared_ptr<const mjModel> model, LocomotionModel(domain));
  if (model->nq - 1 + model->nv != domain.obs_dim || model->nu != domain.act_dim) {
    return absl::InternalError(absl::StrCat(
        domain.name, ": the MJCF's dimensions (nq ", model->nq, ", nv ", model->nv, ", nu ",
        model->nu, ") disagree with obs_dim ", domain.obs_dim, " / act_dim ", domain.act_dim));
  }
  ROMI_ASSIGN_OR_RETURN(MjDataPtr data, MakeData(*model));
  return std::unique_ptr<LocomotionEnv>(
      new LocomotionEnv(spec, std::move(model), std::move(data), domain));
}

LocomotionEnv::LocomotionEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data,
                             const LocomotionDomain& domain)
    : MujocoEnv(std::move(spec), std::move(model), std::move(data)), domain_(domain) {}

std::vector<double> LocomotionEnv::ObservationWithClip(double qvel_clip) const {
  const mjModel& m = model();
  const mjData& d = data();
  std::vector<double> obs;
  obs.reserve(m.nq - 1 + m.nv);
  obs.insert(obs.end(), d.qpos + 1, d.qpos + m.nq);
  for (int i = 0; i < m.nv; ++i) obs.push_back(std::clamp(d.qvel[i], -qvel_clip, qvel_clip));
  return obs;
}

std::vector<double> LocomotionEnv::Observation() const {
  return ObservationWithClip(domain_.qvel_obs_clip);
}

void LocomotionEnv::ResetState(std::mt19937_64& rng) {
  SetNoisyInitialState(domain_.reset_noise, domain_.reset_noise_scale, model(), *mutable_data(),
                       rng);
}

MujocoEnv::Transition LocomotionEnv::StepPhysics(absl::Span<const double> action) {
  const mjModel* m = &model();
  mjData* d = mutable_data();
  const std::vector<double> obs = Observation();
  const double x_before = d->qpos[0];
  std::copy(action.begin(), action.end(), d->ctrl);
  for (int i = 0; i < domain_.frame_skip; ++i) mj_step(m, d);
  const double dt = m->opt.timestep * domain_.frame_skip;
  double ctrl_cost = 0.0;
  for (double a : action) ctrl_cost += a * a;
  ctrl_cost *= domain_.ctrl_cost_weight;

  Transition transition;
  transition.reward = (d->qpos[0] - x_before) / dt + domain_.healthy_reward - ctrl_cost;
  const std::vector<double> state = ObservationWithClip(std::numeric_limits<double>::infinity());
  transition.terminated = domain_.termination.rule_f64(obs.data(), action.data(), state.data());
  return transition;
}

}  // namespace romi::envs
