#include "datagen/online_sac.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/seeds.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "data/transitions.h"
#include "envs/normalized_score.h"
#include "learners/cql.h"
#include "learners/learner_registry.h"
#include "learners/nn/archive_io.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

torch::Generator MakeGenerator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

// Seeds of the training episodes, the evaluation episodes and the batch sampler after each
// checkpoint: disjoint families of one run seed.
uint64_t TrainEpisodeSeed(uint64_t seed, int64_t episode) {
  return seeds::OnlineTrainingEpisode(seed, static_cast<uint64_t>(episode));
}
uint64_t EvalEpisodeSeed(uint64_t seed, int episode) {
  return seeds::OnlineEvaluationEpisode(seed, static_cast<uint64_t>(episode));
}
uint64_t SamplerSeed(uint64_t seed, int64_t step) {
  return seeds::OnlineSampler(seed, static_cast<uint64_t>(step));
}

// Every transition seen, preallocated for the whole run so that steps never allocate.
struct ReplayBuffer {
  data::Transitions table;
  torch::Tensor timeouts;  // [N] 1 where the episode was cut by the time limit (or a checkpoint)
  int64_t size = 0;

  ReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t act_dim)
      : table(data::Transitions::Zeros(capacity, obs_dim, act_dim)),
        timeouts(torch::zeros({capacity})) {}

  void Add(const std::vector<double>& s, const std::vector<double>& a, double r,
           const std::vector<double>& next, bool terminal, bool timeout) {
    float* obs = table.observations[size].data_ptr<float>();
    float* next_obs = table.next_observations[size].data_ptr<float>();
    float* action = table.actions[size].data_ptr<float>();
    std::copy(s.begin(), s.end(), obs);
    std::copy(next.begin(), next.end(), next_obs);
    std::copy(a.begin(), a.end(), action);
    table.rewards.data_ptr<float>()[size] = static_cast<float>(r);
    table.terminals.data_ptr<float>()[size] = terminal ? 1.0f : 0.0f;
    timeouts.data_ptr<float>()[size] = timeout ? 1.0f : 0.0f;
    ++size;
  }
};

absl::Status SaveReplay(const ReplayBuffer& replay, int64_t episodes,
                        const std::vector<OnlineEvaluation>& curve, const std::string& path) {
  torch::serialize::OutputArchive archive;
  data::Transitions used = replay.table.Slice(0, replay.size);
  for (torch::Tensor* column : {&used.observations, &used.actions, &used.rewards,
                                &used.next_observations, &used.terminals}) {
    *column = column->clone();  // the used rows alone, not the preallocated storage
  }
  learners::WriteTransitions(archive, used);
  archive.write("timeouts", replay.timeouts.slice(0, 0, replay.size).clone());
  archive.write("episodes", torch::tensor({episodes}, torch::kLong));
  std::vector<double> flat;
  for (const OnlineEvaluation& e : curve) {
    flat.insert(flat.end(),
                {static_cast<double>(e.step), e.return_mean, e.return_std, e.score_mean});
  }
  archive.write("curve", torch::tensor(flat, torch::kDouble).view({-1, 4}));
  return learners::SaveArchive(archive, path);
}

absl::Status LoadReplay(const std::string& path, ReplayBuffer* replay, int64_t* episodes,
                        std::vector<OnlineEvaluation>* curve) {
  ROMI_ASSIGN_OR_RETURN(SavedReplay saved, ReadReplayBuffer(path));
  const data::Transitions& t = saved.transitions;
  const int64_t n = t.size();
  if (t.obs_dim() != replay->table.obs_dim() || t.act_dim() != replay->table.act_dim() ||
      n > replay->table.size()) {
    return absl::DataLossError(absl::StrFormat(
        "%s: a replay buffer of %d rows with obs %d / act %d does not fit this run (obs %d, "
        "act %d, at most %d rows)",
        path, n, t.obs_dim(), t.act_dim(), replay->table.obs_dim(), replay->table.act_dim(),
        replay->table.size()));
  }
  replay->table.observations.slice(0, 0, n).copy_(t.observations);
  replay->table.actions.slice(0, 0, n).copy_(t.actions);
  replay->table.rewards.slice(0, 0, n).copy_(t.rewards);
  replay->table.next_observations.slice(0, 0, n).copy_(t.next_observations);
  replay->table.terminals.slice(0, 0, n).copy_(t.terminals);
  replay->timeouts.slice(0, 0, n).copy_(saved.timeouts);
  replay->size = n;
  *episodes = saved.episodes;
  *curve = std::move(saved.curve);
  return absl::OkStatus();
}

class Actor {
 public:
  Actor(learners::Learner& learner, int64_t obs_dim)
      : learner_(learner), obs_(torch::zeros({1, obs_dim})) {}

  std::vector<double> operator()(const std::vector<double>& observation, bool deterministic) {
    std::copy(observation.begin(), observation.end(), obs_.data_ptr<float>());
    const torch::Tensor action = learner_.Act(obs_, deterministic).contiguous();
    const float* p = action.data_ptr<float>();
    return std::vector<double>(p, p + action.numel());
  }

 private:
  learners::Learner& learner_;
  torch::Tensor obs_;
};

}  // namespace

absl::StatusOr<SavedReplay> ReadReplayBuffer(const std::string& path) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  SavedReplay saved;
  data::Transitions& t = saved.transitions;
  torch::Tensor episode_count, flat;
  ROMI_RETURN_IF_ERROR(learners::ReadTransitions(archive, path, t));
  try {
    archive.read("timeouts", saved.timeouts);
    archive.read("episodes", episode_count);
    archive.read("curve", flat);
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": missing entry: ", error.what_without_backtrace()));
  }
  const int64_t n = t.observations.dim() == 2 ? t.observations.size(0) : -1;
  if (n < 0 || t.actions.dim() != 2 || t.actions.size(0) != n ||
      t.next_observations.sizes() != t.observations.sizes() || t.rewards.numel() != n ||
      t.terminals.numel() != n || saved.timeouts.numel() != n || flat.dim() != 2 ||
      flat.size(1) != 4 || episode_count.numel() != 1) {
    return absl::DataLossError(absl::StrFormat(
        "%s: inconsistent replay buffer: observations %s, actions %s, rewards %s, timeouts %s",
        path, c10::str(t.observations.sizes()), c10::str(t.actions.sizes()),
        c10::str(t.rewards.sizes()), c10::str(saved.timeouts.sizes())));
  }
  saved.episodes = episode_count.item<int64_t>();
  for (int64_t i = 0; i < flat.size(0); ++i) {
    saved.curve.push_back({static_cast<int64_t>(flat[i][0].item<double>()),
                           flat[i][1].item<double>(), flat[i][2].item<double>(),
                           flat[i][3].item<double>()});
  }
  return saved;
}

absl::StatusOr<std::unique_ptr<learners::Learner>> MakeSacLearner(const envs::EnvSpec& spec,
                                                                  const learners::SacConfig& sac,
                                                                  uint64_t seed) {
  learners::LearnerOptions options;
  options.obs_dim = spec.obs_dim;
  options.act_dim = spec.act_dim;
  options.max_action = spec.action_high.empty() ? 1.0 : spec.action_high[0];
  options.config.set_algorithm("sac");
  *options.config.mutable_sac() = sac;
  options.seed = seed;
  return learners::LearnerRegistry::Create(options);
}

absl::StatusOr<OnlineEvaluation> EvaluatePolicy(envs::Env& env, const ActFn& act, int episodes,
                                                uint64_t seed, int64_t step) {
  if (episodes < 1) return absl::InvalidArgumentError("EvaluatePolicy needs episodes >= 1");
  std::vector<double> returns;
  for (int e = 0; e < episodes; ++e) {
    std::vector<double> obs = env.Reset(EvalEpisodeSeed(seed, e));
    double total = 0;
    while (true) {
      ROMI_ASSIGN_OR_RETURN(const envs::StepResult result, env.Step(act(obs)));
      total += result.reward;
      if (result.terminated || result.truncated) break;
      obs = result.observation;
    }
    returns.push_back(total);
  }
  OnlineEvaluation evaluation;
  evaluation.step = step;
  const MeanStd stats = PopulationMeanStd(returns);
  evaluation.return_mean = stats.mean;
  evaluation.return_std = stats.std;
  evaluation.score_mean = envs::NormalizedScore(env.Spec(), evaluation.return_mean);
  return evaluation;
}

absl::Status CheckPolicyFitsEnv(const learners::TanhGaussianPolicy& policy,
                                const envs::EnvSpec& spec) {
  if (policy->options().obs_dim == spec.obs_dim && policy->options().act_dim == spec.act_dim) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the policy maps ", policy->options().obs_dim, " observations to ", policy->options().act_dim,
      " actions; ", spec.task, " has ", spec.obs_dim, " and ", spec.act_dim));
}

absl::StatusOr<ActFn> DeterministicActions(learners::TanhGaussianPolicy policy,
                                           const envs::EnvSpec& spec) {
  ROMI_RETURN_IF_ERROR(CheckPolicyFitsEnv(policy, spec));
  auto row = std::make_shared<torch::Tensor>(torch::zeros({1, policy->options().obs_dim}));
  return ActFn([policy, row](const std::vector<double>& observation) mutable {
    torch::NoGradGuard no_grad;
    std::copy(observation.begin(), observation.end(), row->data_ptr<float>());
    const torch::Tensor action = policy->Deterministic(*row).contiguous();
    const float* a = action.data_ptr<float>();
    return std::vector<double>(a, a + action.numel());
  });
}

learners::TanhGaussianPolicyOptions SacPolicyOptions(const envs::EnvSpec& spec,
                                                     const learners::SacConfig& sac) {
  const learners::CqlConfig config = learners::SacAsCql(sac);
  learners::TanhGaussianPolicyOptions options;
  options.obs_dim = spec.obs_dim;
  options.act_dim = spec.act_dim;
  options.hidden.assign(config.policy_hidden().begin(), config.policy_hidden().end());
  options.log_std_min = config.log_std_min();
  options.log_std_max = config.log_std_max();
  options.max_action = spec.action_high.empty() ? 1.0 : spec.action_high[0];
  return options;
}

absl::StatusOr<std::vector<OnlineEvaluation>> TrainOnlineSac(const MakeEnvFn& make_env,
                                                             const OnlineSacOptions& options,
                                                             const std::string& run_dir,
                                                             const OnlineSacHooks& hooks) {
  if (options.total_steps < 1 || options.random_steps < 0 || options.batch_size < 1 ||
      options.eval_every < 1 || options.eval_episodes < 1 || options.checkpoint_every < 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "online SAC needs positive total_steps (%d), batch_size (%d), eval_every (%d), "
        "eval_episodes (%d) and checkpoint_every (%d), and random_steps >= 0 (%d)",
        options.total_steps, options.batch_size, options.eval_every, options.eval_episodes,
        options.checkpoint_every, options.random_steps));
  }
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> env, make_env());
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> eval_env, make_env());
  const envs::EnvSpec& spec = env->Spec();
  for (size_t i = 0; i < spec.action_high.size(); ++i) {
    if (spec.action_low[i] != -spec.action_high[0] || spec.action_high[i] != spec.action_high[0]) {
      return absl::InvalidArgumentError(absl::StrCat(
          spec.task, ": online SAC needs a symmetric box of actions, the same in every dimension"));
    }
  }
  const double max_action = spec.action_high.at(0);
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                        MakeSacLearner(spec, options.sac, options.seed));
  ROMI_RETURN_IF_ERROR(CreateDirectories(run_dir));
  auto log = [&hooks](const std::string& line) {
    if (hooks.log) hooks.log(line);
  };

  ReplayBuffer replay(options.total_steps, spec.obs_dim, spec.act_dim);
  std::vector<OnlineEvaluation> curve;
  int64_t episodes = 0;
  const std::string learner_path = (fs::path(run_dir) / "learner.pt").string();
  const std::string replay_path = (fs::path(run_dir) / "replay.pt").string();
  if (fs::exists(learner_path) && fs::exists(replay_path)) {
    ROMI_RETURN_IF_ERROR(learner->Load(learner_path));
    ROMI_RETURN_IF_ERROR(LoadReplay(replay_path, &replay, &episodes, &curve));
    // The learner is written first: a run killed between the two writes leaves a learner one
    // checkpoint ahead of its replay buffer, which must not be resumed as if they matched.
    const int64_t expected_updates = std::max<int64_t>(0, replay.size - options.random_steps);
    if (learner->step() != expected_updates) {
      return absl::DataLossError(absl::StrFormat(
          "%s has %d updates but %s holds %d steps (%d updates expected): the run died between "
          "writing them; delete both to restart",
          learner_path, learner->step(), replay_path, replay.size, expected_updates));
    }
    log(absl::StrFormat("resumed from %s at step %d (%d episodes)", run_dir, replay.size,
                        episodes));
  }

  Actor actor(*learner, spec.obs_dim);
  data::Batch batch = data::Transitions::Zeros(options.batch_size, spec.obs_dim, spec.act_dim);
  torch::Generator generator = MakeGenerator(SamplerSeed(options.seed, replay.size));
  std::vector<double> obs = env->Reset(TrainEpisodeSeed(options.seed, episodes++));
  double episode_return = 0;
  std::deque<double> recent_returns;  // the last 10 training episodes
  std::vector<double> action(spec.act_dim);
  torch::Tensor uniform = torch::zeros({spec.act_dim}, torch::kDouble);
  auto last_report = std::chrono::steady_clock::now();
  int64_t last_report_step = replay.size;
  learners::Metrics metrics;

  for (int64_t step = replay.size; step < options.total_steps; ++step) {
    if (step < options.random_steps) {
      uniform.uniform_(-max_action, max_action, generator);
      std::copy(uniform.data_ptr<double>(), uniform.data_ptr<double>() + spec.act_dim,
                action.begin());
    } else {
      action = actor(obs, /*deterministic=*/false);
    }
    ROMI_ASSIGN_OR_RETURN(const envs::StepResult result, env->Step(action));
    replay.Add(obs, action, result.reward, result.observation, result.terminated, result.truncated);
    episode_return += result.reward;
    obs = result.observation;
    if (result.terminated || result.truncated) {
      recent_returns.push_back(episode_return);
      if (recent_returns.size() > 10) recent_returns.pop_front();
      episode_return = 0;
      obs = env->Reset(TrainEpisodeSeed(options.seed, episodes++));
    }
    if (step >= options.random_steps) {
      const torch::Tensor rows =
          torch::randint(replay.size, {options.batch_size}, generator, torch::kLong);
      replay.table.SelectInto(rows, &batch, 0);
      metrics = learner->Update(batch);
    }

    const int64_t done = step + 1;
    if (done % options.eval_every == 0 || done == options.total_steps) {
      ROMI_ASSIGN_OR_RETURN(
          const OnlineEvaluation evaluation,
          EvaluatePolicy(
              *eval_env, [&actor](const std::vector<double>& obs) { return actor(obs, true); },
              options.eval_episodes, options.seed, done));
      curve.push_back(evaluation);
      const auto now = std::chrono::steady_clock::now();
      const double steps_per_second =
          (done - last_report_step) /
          std::max(std::chrono::duration<double>(now - last_report).count(), 1e-9);
      last_report = now;
      last_report_step = done;
      std::string line = absl::StrFormat(
          "step %d: eval return %.1f ± %.1f (normalized %.1f); training episodes %d, last %d "
          "mean %.1f; %.0f steps/s since the last evaluation",
          done, evaluation.return_mean, evaluation.return_std, evaluation.score_mean, episodes,
          recent_returns.size(),
          recent_returns.empty()
              ? 0.0
              : std::accumulate(recent_returns.begin(), recent_returns.end(), 0.0) /
                    recent_returns.size(),
          steps_per_second);
      for (const auto& [name, value] : metrics)
        absl::StrAppendFormat(&line, ", %s %.4g", name, value);
      log(line);
      if (hooks.on_evaluation) ROMI_RETURN_IF_ERROR(hooks.on_evaluation(evaluation, *learner));
    }
    if (done % options.checkpoint_every == 0 || done == options.total_steps) {
      // Cut the running episode here, in every run, so that a resumed run starts where an
      // uninterrupted one continues: with a fresh episode and a reseeded sampler.
      if (replay.table.terminals.data_ptr<float>()[done - 1] == 0) {
        replay.timeouts.data_ptr<float>()[done - 1] = 1;
      }
      ROMI_RETURN_IF_ERROR(learner->Save(learner_path));
      ROMI_RETURN_IF_ERROR(SaveReplay(replay, episodes, curve, replay_path));
      if (done == hooks.stop_after_checkpoint) {
        return absl::CancelledError(absl::StrCat("stopped after the checkpoint at step ", done));
      }
      generator = MakeGenerator(SamplerSeed(options.seed, done));
      episode_return = 0;
      obs = env->Reset(TrainEpisodeSeed(options.seed, episodes++));
    }
  }
  return curve;
}

}  // namespace romi::datagen
