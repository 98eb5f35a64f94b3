#include "datagen/rollout_recorder.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/episode_runner.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"

namespace romi::datagen {
namespace {

void CopyRow(absl::Span<const double> values, float* row) {
  std::transform(values.begin(), values.end(), row, [](double x) { return float(x); });
}

}  // namespace

absl::StatusOr<data::D4rlFile> RecordRollouts(absl::string_view task,
                                              const GeneratorOptions& options,
                                              std::mt19937_64& reset_rng,
                                              const ActionSampler& sample) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> made, envs::MakeEnv(task));
  auto* env = dynamic_cast<envs::MujocoEnv*>(made.get());
  if (env == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(task, ": not a MuJoCo env (no qpos/qvel)"));
  }
  const envs::EnvSpec& spec = env->Spec();
  const int64_t n = options.rows, obs_dim = spec.obs_dim, act_dim = spec.act_dim;
  const int64_t nq = env->model().nq, nv = env->model().nv;

  data::D4rlFile file;
  file.observations = torch::empty({n, obs_dim});
  file.next_observations = torch::empty({n, obs_dim});
  file.actions = torch::empty({n, act_dim});
  file.rewards = torch::empty({n});
  file.terminals = torch::zeros({n});
  file.timeouts = torch::zeros({n});
  file.infos["qpos"] = torch::empty({n, nq});
  file.infos["qvel"] = torch::empty({n, nv});
  file.infos["action_log_probs"] = torch::empty({n});
  float* observations = file.observations.data_ptr<float>();
  float* next_observations = file.next_observations.data_ptr<float>();
  float* actions = file.actions.data_ptr<float>();
  float* rewards = file.rewards.data_ptr<float>();
  float* terminals = file.terminals.data_ptr<float>();
  float* timeouts = file.timeouts.data_ptr<float>();
  float* qpos = file.infos["qpos"].data_ptr<float>();
  float* qvel = file.infos["qvel"].data_ptr<float>();
  float* log_probs = file.infos["action_log_probs"].data_ptr<float>();

  std::vector<double> action(act_dim);
  double log_prob = 0;
  const envs::BatchActFn act = [&](absl::Span<const int64_t>, absl::Span<const double> observation,
                                   absl::Span<double> chosen) {
    log_prob = sample(observation, action);
    std::copy(action.begin(), action.end(), chosen.begin());
    return absl::OkStatus();
  };
  envs::EpisodeHooks hooks;
  hooks.before_step = [&](const envs::EpisodeStep& step) {
    const int64_t t = step.total;
    log_probs[t] = static_cast<float>(log_prob);
    CopyRow(step.observation, observations + t * obs_dim);
    CopyRow(step.action, actions + t * act_dim);
    CopyRow(env->qpos(), qpos + t * nq);
    CopyRow(env->qvel(), qvel + t * nv);
  };
  hooks.after_step = [&](const envs::EpisodeStep& step) -> absl::StatusOr<envs::AfterStep> {
    const int64_t t = step.total;
    CopyRow(step.result->observation, next_observations + t * obs_dim);
    rewards[t] = static_cast<float>(step.result->reward);
    terminals[t] = step.result->terminated ? 1.0f : 0.0f;
    timeouts[t] = step.result->truncated ? 1.0f : 0.0f;
    ReportProgress(options, t);
    return envs::AfterStep::kContinue;
  };
  envs::EpisodeRunOptions run;
  run.episodes = std::numeric_limits<int64_t>::max();
  run.max_steps = n;
  envs::Env* lanes[] = {env};
  ROMI_RETURN_IF_ERROR(envs::RunEpisodes(
                           lanes, [&reset_rng](int64_t) { return reset_rng(); }, act, run, hooks)
                           .status());
  return file;
}

}  // namespace romi::datagen
