#include "data/policy_generator.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "data/rollout_recorder.h"
#include "envs/registry.h"
#include "learners/policy_file.h"
#include "romi/base/status_macros.h"

namespace romi::data {
namespace {

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
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  if (policy->options().obs_dim != spec.obs_dim || policy->options().act_dim != spec.act_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        task, ": the policy maps ", policy->options().obs_dim, " observations to ",
        policy->options().act_dim, " actions; the task has ", spec.obs_dim, " and ",
        spec.act_dim));
  }
  std::mt19937_64 reset_rng(options.seed);
  torch::Generator noise = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  torch::NoGradGuard no_grad;
  torch::Tensor obs_tensor = torch::empty({1, spec.obs_dim});
  ROMI_ASSIGN_OR_RETURN(
      D4rlFile file,
      RecordRollouts(task, options, reset_rng,
                     [&](absl::Span<const double> observation, std::vector<double>& action) {
                       std::copy(observation.begin(), observation.end(),
                                 obs_tensor.data_ptr<float>());
                       const learners::PolicySample sample = policy->Sample(obs_tensor, noise);
                       const float* a = sample.action.data_ptr<float>();
                       std::copy(a, a + action.size(), action.begin());
                       return static_cast<double>(sample.log_prob.item<float>());
                     }));
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
