#include "datagen/online_sac.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/seeds.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "data/transitions.h"
#include "envs/episode_runner.h"
#include "envs/normalized_score.h"
#include "learners/learner_registry.h"
#include "learners/nn/archive_io.h"
#include "learners/nn/runtime.h"
#include "learners/sac.h"

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
uint64_t EvalEpisodeSeed(uint64_t seed, int64_t episode) {
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

  void Add(absl::Span<const double> s, absl::Span<const double> a, double r,
           absl::Span<const double> next, bool terminal, bool timeout) {
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

  // Writes the learner's action for one observation into `action` (no allocation of ours).
  void operator()(absl::Span<const double> observation, bool deterministic,
                  absl::Span<double> action) {
    std::copy(observation.begin(), observation.end(), obs_.data_ptr<float>());
    const torch::Tensor chosen = learner_.Act(obs_, deterministic).contiguous();
    const float* p = chosen.data_ptr<float>();
    std::copy(p, p + chosen.numel(), action.begin());
  }

 private:
  learners::Learner& learner_;
  torch::Tensor obs_;
};

absl::Status CheckConfig(const OnlineSacConfig& config) {
  if (config.total_steps() < 1 || config.random_steps() < 0 || config.batch_size() < 1 ||
      config.eval_every() < 1 || config.eval_episodes() < 1 || config.checkpoint_every() < 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "online SAC needs positive total_steps (%d), batch_size (%d), eval_every (%d), "
        "eval_episodes (%d) and checkpoint_every (%d), and random_steps >= 0 (%d)",
        config.total_steps(), config.batch_size(), config.eval_every(), config.eval_episodes(),
        config.checkpoint_every(), config.random_steps()));
  }
  return absl::OkStatus();
}

absl::Status CheckActionBox(const envs::EnvSpec& spec) {
  for (size_t i = 0; i < spec.action_high.size(); ++i) {
    if (spec.action_low[i] != -spec.action_high[0] || spec.action_high[i] != spec.action_high[0]) {
      return absl::InvalidArgumentError(absl::StrCat(
          spec.task, ": online SAC needs a symmetric box of actions, the same in every dimension"));
    }
  }
  return spec.action_high.empty()
             ? absl::InvalidArgumentError(absl::StrCat(spec.task, ": no actions"))
             : absl::OkStatus();
}

// Writes the resolved config to run_dir/config.textproto after checking that a run being resumed
// there was started with the same settings: all but the horizon and the evaluations, which do not
// shape the training.
absl::Status WriteOrCheckSacConfig(const OnlineSacConfig& config, const std::string& run_dir) {
  OnlineSacConfig resolved = config;
  FillDefaults(&resolved);
  return WriteOrCheckConfig(resolved, (fs::path(run_dir) / "config.textproto").string(),
                            [](google::protobuf::Message* message) {
                              auto* shaping = static_cast<OnlineSacConfig*>(message);
                              FillDefaults(shaping);
                              shaping->clear_total_steps();
                              shaping->clear_eval_every();
                              shaping->clear_eval_episodes();
                            });
}

// Torch's intra-op thread count for a scope.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(at::get_num_threads()) {
    learners::SetIntraOpThreads(threads);
  }
  ~ScopedThreads() { at::set_num_threads(previous_); }

 private:
  int previous_;
};

// One TrainOnlineSac call: the replay buffer, the learner and the bookkeeping between steps.
class OnlineSacRun {
 public:
  OnlineSacRun(const OnlineSacConfig& config, const std::string& run_dir,
               const OnlineSacHooks& hooks, envs::Env& env, envs::Env& eval_env,
               std::unique_ptr<learners::Learner> learner)
      : config_(config),
        hooks_(hooks),
        env_(env),
        eval_env_(eval_env),
        spec_(env.Spec()),
        learner_(std::move(learner)),
        actor_(*learner_, spec_.obs_dim),
        replay_(config.total_steps(), spec_.obs_dim, spec_.act_dim),
        batch_(data::Transitions::Zeros(config.batch_size(), spec_.obs_dim, spec_.act_dim)),
        uniform_(torch::zeros({spec_.act_dim}, torch::kDouble)),
        learner_path_((fs::path(run_dir) / "learner.pt").string()),
        replay_path_((fs::path(run_dir) / "replay.pt").string()),
        run_dir_(run_dir) {}

  absl::Status Resume() {
    if (!fs::exists(learner_path_) || !fs::exists(replay_path_)) return absl::OkStatus();
    ROMI_RETURN_IF_ERROR(learner_->Load(learner_path_));
    ROMI_RETURN_IF_ERROR(LoadReplay(replay_path_, &replay_, &episodes_, &curve_));
    // The learner is written first: a run killed between the two writes leaves a learner one
    // checkpoint ahead of its replay buffer, which must not be resumed as if they matched.
    const int64_t expected_updates = std::max<int64_t>(0, replay_.size - config_.random_steps());
    if (learner_->step() != expected_updates) {
      return absl::DataLossError(absl::StrFormat(
          "%s has %d updates but %s holds %d steps (%d updates expected): the run died between "
          "writing them; delete both to restart",
          learner_path_, learner_->step(), replay_path_, replay_.size, expected_updates));
    }
    Log(absl::StrFormat("resumed from %s at step %d (%d episodes)", run_dir_, replay_.size,
                        episodes_));
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<OnlineEvaluation>> Train() {
    if (replay_.size >= config_.total_steps()) return curve_;
    generator_ = MakeGenerator(SamplerSeed(config_.seed(), replay_.size));
    last_report_ = std::chrono::steady_clock::now();
    last_report_step_ = replay_.size;
    envs::EpisodeRunOptions run;
    run.episodes = std::numeric_limits<int64_t>::max();
    run.max_steps = config_.total_steps() - replay_.size;
    envs::EpisodeHooks hooks;
    hooks.after_step = [this](const envs::EpisodeStep& step) { return AfterStep(step); };
    envs::Env* lanes[] = {&env_};
    ROMI_RETURN_IF_ERROR(
        envs::RunEpisodes(
            lanes, [this](int64_t) { return TrainEpisodeSeed(config_.seed(), episodes_++); },
            [this](absl::Span<const int64_t>, absl::Span<const double> observation,
                   absl::Span<double> action) { return Act(observation, action); },
            run, hooks)
            .status());
    return curve_;
  }

 private:
  void Log(const std::string& line) const {
    if (hooks_.log) hooks_.log(line);
  }

  // Uniform random actions before random_steps, then the stochastic policy's.
  absl::Status Act(absl::Span<const double> observation, absl::Span<double> action) {
    if (replay_.size < config_.random_steps()) {
      const double max_action = spec_.action_high[0];
      uniform_.uniform_(-max_action, max_action, generator_);
      std::copy(uniform_.data_ptr<double>(), uniform_.data_ptr<double>() + spec_.act_dim,
                action.begin());
    } else {
      actor_(observation, /*deterministic=*/false, action);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<envs::AfterStep> AfterStep(const envs::EpisodeStep& step) {
    const envs::StepResult& result = *step.result;
    replay_.Add(step.observation, step.action, result.reward, result.observation, result.terminated,
                result.truncated);
    const bool ended = result.terminated || result.truncated;
    episode_return_ += result.reward;
    if (ended) {
      recent_returns_.push_back(episode_return_);
      if (recent_returns_.size() > 10) recent_returns_.pop_front();
      episode_return_ = 0;
    }
    if (replay_.size > config_.random_steps()) {
      const torch::Tensor rows =
          torch::randint(replay_.size, {config_.batch_size()}, generator_, torch::kLong);
      replay_.table.SelectInto(rows, &batch_, 0);
      metrics_ = learner_->Update(batch_);
      if (absl::Status finite = learners::CheckMetricsFinite(metrics_); !finite.ok()) {
        return absl::InternalError(absl::StrCat("online SAC diverged at step ", replay_.size, ": ",
                                                finite.message(), "; the last checkpoint (",
                                                learner_path_, ") is kept"));
      }
    }
    const int64_t done = replay_.size;
    if (done % config_.eval_every() == 0 || done == config_.total_steps()) {
      ROMI_RETURN_IF_ERROR(Evaluate(done, episodes_ + (ended ? 1 : 0)));
    }
    if (done % config_.checkpoint_every() != 0 && done != config_.total_steps()) {
      return envs::AfterStep::kContinue;
    }
    // An episode that ended on a checkpoint step has had its successor's seed drawn (and that
    // episode cut at once) since the first runs: skip that seed, so runs stay as they were.
    if (ended) ++episodes_;
    ROMI_RETURN_IF_ERROR(Checkpoint(done));
    return envs::AfterStep::kEndEpisode;
  }

  absl::Status Evaluate(int64_t done, int64_t episodes) {
    ROMI_ASSIGN_OR_RETURN(const OnlineEvaluation evaluation,
                          EvaluatePolicy(
                              eval_env_,
                              [this](const std::vector<double>& obs) {
                                std::vector<double> action(spec_.act_dim);
                                actor_(obs, /*deterministic=*/true, absl::MakeSpan(action));
                                return action;
                              },
                              config_.eval_episodes(), config_.seed(), done));
    curve_.push_back(evaluation);
    const auto now = std::chrono::steady_clock::now();
    const double steps_per_second =
        (done - last_report_step_) /
        std::max(std::chrono::duration<double>(now - last_report_).count(), 1e-9);
    last_report_ = now;
    last_report_step_ = done;
    std::string line = absl::StrFormat(
        "step %d: eval return %.1f ± %.1f (normalized %.1f); training episodes %d, last %d "
        "mean %.1f; %.0f steps/s since the last evaluation",
        done, evaluation.return_mean, evaluation.return_std, evaluation.score_mean, episodes,
        recent_returns_.size(),
        recent_returns_.empty()
            ? 0.0
            : std::accumulate(recent_returns_.begin(), recent_returns_.end(), 0.0) /
                  recent_returns_.size(),
        steps_per_second);
    for (const auto& [name, value] : metrics_) {
      absl::StrAppendFormat(&line, ", %s %.4g", name, value);
    }
    Log(line);
    if (hooks_.on_evaluation) ROMI_RETURN_IF_ERROR(hooks_.on_evaluation(evaluation, *learner_));
    return absl::OkStatus();
  }

  // Cuts the running episode here, in every run, so that a resumed run starts where an
  // uninterrupted one continues: with a fresh episode and a reseeded sampler.
  absl::Status Checkpoint(int64_t done) {
    if (replay_.table.terminals.data_ptr<float>()[done - 1] == 0) {
      replay_.timeouts.data_ptr<float>()[done - 1] = 1;
    }
    ROMI_RETURN_IF_ERROR(learner_->Save(learner_path_));
    ROMI_RETURN_IF_ERROR(SaveReplay(replay_, episodes_, curve_, replay_path_));
    if (done == hooks_.stop_after_checkpoint) {
      return absl::CancelledError(absl::StrCat("stopped after the checkpoint at step ", done));
    }
    generator_ = MakeGenerator(SamplerSeed(config_.seed(), done));
    episode_return_ = 0;
    return absl::OkStatus();
  }

  const OnlineSacConfig& config_;
  const OnlineSacHooks& hooks_;
  envs::Env& env_;
  envs::Env& eval_env_;
  const envs::EnvSpec& spec_;
  std::unique_ptr<learners::Learner> learner_;
  Actor actor_;
  ReplayBuffer replay_;
  data::Batch batch_;
  torch::Tensor uniform_;
  torch::Generator generator_;
  const std::string learner_path_, replay_path_, run_dir_;
  std::vector<OnlineEvaluation> curve_;
  int64_t episodes_ = 0;  // training episode seeds drawn
  double episode_return_ = 0;
  std::deque<double> recent_returns_;  // the last 10 training episodes
  learners::Metrics metrics_;
  std::chrono::steady_clock::time_point last_report_;
  int64_t last_report_step_ = 0;
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
  // One lane, one observation per call: a policy's actions for a batch of one, as in training.
  envs::EpisodeRunOptions run;
  run.episodes = episodes;
  envs::Env* lanes[] = {&env};
  ROMI_ASSIGN_OR_RETURN(
      const std::vector<envs::EpisodeSummary> summaries,
      envs::RunEpisodes(
          lanes, [seed](int64_t episode) { return EvalEpisodeSeed(seed, episode); },
          [&act](absl::Span<const int64_t>, absl::Span<const double> observation,
                 absl::Span<double> action) {
            const std::vector<double> chosen =
                act(std::vector<double>(observation.begin(), observation.end()));
            if (chosen.size() != action.size()) {
              return absl::InvalidArgumentError(absl::StrCat("the policy gave ", chosen.size(),
                                                             " actions; expected ", action.size()));
            }
            std::copy(chosen.begin(), chosen.end(), action.begin());
            return absl::OkStatus();
          },
          run));
  std::vector<double> returns;
  for (const envs::EpisodeSummary& summary : summaries) returns.push_back(summary.return_sum);
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
                                                             const OnlineSacConfig& config,
                                                             const std::string& run_dir,
                                                             const OnlineSacHooks& hooks) {
  ROMI_RETURN_IF_ERROR(CheckConfig(config));
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> env, make_env());
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> eval_env, make_env());
  ROMI_RETURN_IF_ERROR(CheckActionBox(env->Spec()));
  ROMI_RETURN_IF_ERROR(CreateDirectories(run_dir));
  ROMI_RETURN_IF_ERROR(WriteOrCheckSacConfig(config, run_dir));
  ScopedThreads threads(config.threads());
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                        MakeSacLearner(env->Spec(), config.sac(), config.seed()));
  OnlineSacRun run(config, run_dir, hooks, *env, *eval_env, std::move(learner));
  ROMI_RETURN_IF_ERROR(run.Resume());
  return run.Train();
}

}  // namespace romi::datagen
