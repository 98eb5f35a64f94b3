#include "datagen/policy_generator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "datagen/online_sac.h"
#include "datagen/policies/manifest.pb.h"
#include "datagen/policy_file.h"
#include "datagen/rollout_recorder.h"
#include "envs/registry.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

// The env part of a gym task name: "hopper-medium-expert-v2" -> "hopper".
std::string EnvName(absl::string_view task) { return std::string(task.substr(0, task.find('-'))); }

absl::StatusOr<data::D4rlFile> ShippedRollouts(absl::string_view task, const std::string& level,
                                               const GeneratorOptions& options) {
  const std::string path = ShippedPolicyPath(absl::StrCat(EnvName(task), "-", level));
  absl::StatusOr<learners::TanhGaussianPolicy> policy = datagen::LoadPolicyFile(path);
  if (!policy.ok()) {
    return absl::Status(policy.status().code(),
                        absl::StrCat(task, " needs the shipped ", level,
                                     " behaviour policy: ", policy.status().message()));
  }
  return GeneratePolicyRollouts(task, *policy, options);
}

absl::StatusOr<BehaviorPolicy> FindShippedPolicy(const std::string& name) {
  const std::string path = absl::StrCat(ShippedPolicyDir(), "/manifest.textproto");
  BehaviorPolicyManifest manifest;
  ROMI_RETURN_IF_ERROR(ReadTextProto(path, &manifest));
  for (const BehaviorPolicy& policy : manifest.policy()) {
    if (policy.name() == name) return policy;
  }
  return absl::NotFoundError(absl::StrCat(path, " lists no policy '", name, "'"));
}

// True when every weight of the two policies is equal.
bool SameWeights(const learners::TanhGaussianPolicy& a, const learners::TanhGaussianPolicy& b) {
  const auto pa = a->named_parameters();
  const auto pb = b->named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& item : pa) {
    const torch::Tensor* other = pb.find(item.key());
    if (other == nullptr || !torch::equal(item.value(), *other)) return false;
  }
  return true;
}

absl::StatusOr<data::D4rlFile> MediumReplay(absl::string_view task,
                                            const GeneratorOptions& options) {
  const std::string name = absl::StrCat(EnvName(task), "-medium");
  ROMI_ASSIGN_OR_RETURN(const BehaviorPolicy entry, FindShippedPolicy(name));
  if (options.rows > entry.train_steps()) {
    return absl::InvalidArgumentError(
        absl::StrCat(task, " has at most ", entry.train_steps(), " rows (the ", name,
                     " run's replay buffer up to its medium step); asked for ", options.rows));
  }
  datagen::OnlineSacConfig training = entry.training();
  training.set_total_steps(entry.train_steps());
  // Evaluations do not touch the training's randomness; one short one per percent shows progress.
  training.set_eval_every(std::max<int64_t>(1, entry.train_steps() / 100));
  training.set_eval_episodes(1);
  const fs::path run_dir =
      fs::temp_directory_path() / absl::StrCat("romi-", name, "-replay-", ::getpid());
  fs::remove_all(run_dir);
  datagen::OnlineSacHooks hooks;
  hooks.on_evaluation = [&](const datagen::OnlineEvaluation& e, learners::Learner&) {
    if (options.progress) options.progress(std::min(e.step, options.rows));
    return absl::OkStatus();
  };
  const std::string env_task = entry.task();
  // With the original run's thread count (training.threads), so reductions sum in the same order.
  const absl::StatusOr<std::vector<datagen::OnlineEvaluation>> trained = datagen::TrainOnlineSac(
      [&env_task] { return envs::MakeEnv(env_task); }, training, run_dir.string(), hooks);
  absl::StatusOr<datagen::SavedReplay> replay =
      trained.ok() ? datagen::ReadReplayBuffer((run_dir / "replay.pt").string())
                   : absl::StatusOr<datagen::SavedReplay>(trained.status());
  // The re-run's policy against the shipped one.
  bool matches = false;
  if (replay.ok()) {
    ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(env_task));
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                          datagen::MakeSacLearner(spec, training.sac(), training.seed()));
    const std::string exported = (run_dir / "policy.pt").string();
    ROMI_RETURN_IF_ERROR(learner->Load((run_dir / "learner.pt").string()));
    ROMI_RETURN_IF_ERROR(datagen::SavePolicyFile(
        *learner, "policy", datagen::SacPolicyOptions(spec, training.sac()), exported));
    absl::StatusOr<learners::TanhGaussianPolicy> rerun = datagen::LoadPolicyFile(exported);
    absl::StatusOr<learners::TanhGaussianPolicy> shipped =
        datagen::LoadPolicyFile(ShippedPolicyPath(name));
    matches = rerun.ok() && shipped.ok() && SameWeights(*rerun, *shipped);
  }
  std::error_code ignored;
  fs::remove_all(run_dir, ignored);
  if (!replay.ok()) return replay.status();

  const data::Transitions rows = replay->transitions.Slice(0, options.rows);
  data::D4rlFile file;
  file.observations = rows.observations.clone();
  file.next_observations = rows.next_observations.clone();
  file.actions = rows.actions.clone();
  file.rewards = rows.rewards.clone();
  file.terminals = rows.terminals.clone();
  file.timeouts = replay->timeouts.slice(0, 0, options.rows).clone();
  file.metadata_strings["algorithm"] =
      "romi SAC replay buffer (re-created run of the medium policy)";
  file.metadata_strings["romi_replay_matches_shipped_policy"] = matches ? "yes" : "no";
  return file;
}

torch::Tensor Concat(const torch::Tensor& a, const torch::Tensor& b) {
  return a.defined() && b.defined() ? torch::cat({a, b}, 0) : torch::Tensor();
}

}  // namespace

std::string ShippedPolicyDir() {
  const char* dir = std::getenv("ROMI_POLICY_DIR");
  return dir != nullptr && *dir ? dir : "datagen/policies";
}

std::string ShippedPolicyPath(const std::string& name) {
  return absl::StrCat(ShippedPolicyDir(), "/", name, ".pt");
}

absl::StatusOr<data::D4rlFile> GeneratePolicyRollouts(absl::string_view task,
                                                      learners::TanhGaussianPolicy& policy,
                                                      const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  ROMI_RETURN_IF_ERROR(datagen::CheckPolicyFitsEnv(policy, spec));
  std::mt19937_64 reset_rng(options.seed);
  torch::Generator noise = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  torch::NoGradGuard no_grad;
  torch::Tensor obs_tensor = torch::empty({1, spec.obs_dim});
  ROMI_ASSIGN_OR_RETURN(
      data::D4rlFile file,
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

absl::StatusOr<data::D4rlFile> GenerateShippedPolicyDataset(absl::string_view task,
                                                            const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  if (absl::StrContains(task, "-medium-replay-")) return MediumReplay(task, options);
  if (absl::StrContains(task, "-medium-expert-")) {
    GeneratorOptions half = options;
    half.rows = options.rows / 2;
    half.progress = nullptr;
    ROMI_ASSIGN_OR_RETURN(data::D4rlFile medium, ShippedRollouts(task, "medium", half));
    // The medium half ends inside an episode: mark it cut, or the loader would join that episode
    // to the first expert one with a transition that never happened.
    const int64_t last = medium.timeouts.size(0) - 1;
    if (last >= 0 && medium.terminals[last].item<double>() == 0) medium.timeouts[last] = 1;
    half.rows = options.rows - options.rows / 2;
    half.seed = options.seed + 1;
    ROMI_ASSIGN_OR_RETURN(data::D4rlFile expert, ShippedRollouts(task, "expert", half));
    data::D4rlFile file = medium;
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
      absl::StrCat(task, ": not a medium, medium-replay, expert or medium-expert dataset"));
}

}  // namespace romi::datagen
