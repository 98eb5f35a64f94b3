#include "data/policy_generator.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "learners/policy_file.h"
#include "romi/base/status_macros.h"

namespace romi::data {
namespace {

void CopyRow(absl::Span<const double> values, float* row) {
  std::transform(values.begin(), values.end(), row, [](double x) { return float(x); });
}

// The env part of a gym task name: "hopper-medium-expert-v2" -> "hopper".
std::string EnvName(absl::string_view task) {
  return std::string(task.substr(0, task.find('-')));
}

absl::StatusOr<D4rlFile> ShippedRollouts(absl::string_view task, const std::string& level,
                                         const GeneratorOptions& options) {
  const std::string path = ShippedPolicyPath(absl::StrCat(EnvName(task), "-", level));
  absl::StatusOr<learners::TanhGaussianPolicy> policy = learners::LoadPolicyFile(path);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(task, " needs the shipped ", level,
                                     " behaviour policy: ", policy.status().message()));
  }
  return GeneratePolicyRollouts(task, *policy, options);
}

torch::Tensor Concat(const torch::Tensor& a, const torch::Tensor& b) {
  return a.defined() && b.defined() ? torch::cat({a, b}, 0) : torch::Tensor();
}

}  // namespace

std::string ShippedPolicyPath(const std::string& name) {
  const char* dir = std::getenv("ROMI_POLICY_DIR");
  return absl::StrCat(dir != nullptr && *dir ? dir : "data/policies", "/", name, ".pt");
}

absl::StatusOr<D4rlFile> GeneratePolicyRollouts(absl::string_view task,
                                                learners::TanhGaussianPolicy& policy,
                                                const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> made, envs::MakeEnv(task));
  auto* env = dynamic_cast<envs::MujocoEnv*>(made.get());
  if (env == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(task, ": not a MuJoCo env (no qpos/qvel)"));
  }
  const envs::EnvSpec& spec = env->Spec();
  const int64_t n = options.rows, obs_dim = spec.obs_dim, act_dim = spec.act_dim;
  if (policy->options().obs_dim != obs_dim || policy->options().act_dim != act_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        task, ": the policy maps ", policy->options().obs_dim, " observations to ",
        policy->options().act_dim, " actions; the task has ", obs_dim, " and ", act_dim));
  }
  const int64_t nq = env->model().nq, nv = env->model().nv;

  D4rlFile file;
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

  std::mt19937_64 rng(options.seed);
  torch::Generator noise = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  torch::NoGradGuard no_grad;
  torch::Tensor obs_tensor = torch::empty({1, obs_dim});
  std::vector<double> observation = env->Reset(rng());
  std::vector<double> action(act_dim);
  for (int64_t t = 0; t < n; ++t) {
    CopyRow(observation, obs_tensor.data_ptr<float>());
    const learners::PolicySample sample = policy->Sample(obs_tensor, noise);
    const float* a = sample.action.data_ptr<float>();
    std::copy(a, a + act_dim, action.begin());
    log_probs[t] = sample.log_prob.item<float>();
    CopyRow(observation, observations + t * obs_dim);
    CopyRow(action, actions + t * act_dim);
    CopyRow(env->qpos(), qpos + t * nq);
    CopyRow(env->qvel(), qvel + t * nv);
    ROMI_ASSIGN_OR_RETURN(envs::StepResult step, env->Step(action));
    CopyRow(step.observation, next_observations + t * obs_dim);
    rewards[t] = static_cast<float>(step.reward);
    terminals[t] = step.terminated ? 1.0f : 0.0f;
    timeouts[t] = step.truncated ? 1.0f : 0.0f;
    if (step.terminated || step.truncated) {
      observation = env->Reset(rng());
    } else {
      observation = std::move(step.observation);
    }
    ReportProgress(options, t);
  }
  for (const auto& item : policy->named_parameters()) {
    file.metadata["policy/" + absl::StrReplaceAll(item.key(), {{".", "/"}})] =
        item.value().detach().to(torch::kFloat).contiguous();
  }
  file.metadata_strings["algorithm"] = "romi SAC behaviour policy (tanh-Gaussian, sampled)";
  return file;
}

absl::StatusOr<D4rlFile> GenerateShippedPolicyDataset(absl::string_view task,
                                                      const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  if (absl::StrContains(task, "-medium-expert-")) {
    GeneratorOptions half = options;
    half.rows = options.rows / 2;
    half.progress = nullptr;
    ROMI_ASSIGN_OR_RETURN(D4rlFile medium, ShippedRollouts(task, "medium", half));
    half.rows = options.rows - options.rows / 2;
    half.seed = options.seed + 1;
    ROMI_ASSIGN_OR_RETURN(D4rlFile expert, ShippedRollouts(task, "expert", half));
    D4rlFile file = medium;
    file.observations = Concat(medium.observations, expert.observations);
    file.next_observations = Concat(medium.next_observations, expert.next_observations);
    file.actions = Concat(medium.actions, expert.actions);
    file.rewards = Concat(medium.rewards, expert.rewards);
    file.terminals = Concat(medium.terminals, expert.terminals);
    file.timeouts = Concat(medium.timeouts, expert.timeouts);
    for (auto& [key, value] : file.infos) value = Concat(value, expert.infos.at(key));
    // Both policies' weights, as D4RL's merged file keeps one set: ours keeps the two apart.
    file.metadata.clear();
    for (const auto& [key, value] : medium.metadata) file.metadata["medium_" + key] = value;
    for (const auto& [key, value] : expert.metadata) file.metadata["expert_" + key] = value;
    if (options.progress) options.progress(options.rows);
    return file;
  }
  for (const char* level : {"medium", "expert"}) {
    if (absl::StrContains(task, absl::StrCat("-", level, "-v"))) {
      return ShippedRollouts(task, level, options);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(task, ": not a medium, expert or medium-expert dataset"));
}

}  // namespace romi::data
