#include "eval/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/seeds.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "envs/env.h"
#include "envs/episode_runner.h"
#include "envs/normalized_score.h"
#include "envs/registry.h"

namespace romi::eval {

double EvaluationReport::ReturnMean() const { return PopulationMeanStd(returns).mean; }
double EvaluationReport::ReturnStd() const { return PopulationMeanStd(returns).std; }
double EvaluationReport::ScoreMean() const { return PopulationMeanStd(scores).mean; }
double EvaluationReport::ScoreStd() const { return PopulationMeanStd(scores).std; }

absl::StatusOr<EvaluationReport> Evaluate(const std::string& task, const BatchPolicy& policy,
                                          const EvaluationOptions& options) {
  if (options.episodes < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "evaluation of ", task, " needs at least one episode, got ", options.episodes));
  }
  const auto start = std::chrono::steady_clock::now();
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  std::vector<std::unique_ptr<envs::Env>> envs(options.episodes);
  std::vector<envs::Env*> lanes;
  for (std::unique_ptr<envs::Env>& env : envs) {
    ROMI_ASSIGN_OR_RETURN(env, envs::MakeEnv(task));
    lanes.push_back(env.get());
  }

  // Every episode on a lane of its own: one batched policy call per step.
  torch::NoGradGuard no_grad;
  const torch::Tensor batch_buffer = torch::empty({options.episodes, spec.obs_dim});
  const envs::BatchActFn act = [&](absl::Span<const int64_t> episodes,
                                   absl::Span<const double> observations,
                                   absl::Span<double> actions) -> absl::Status {
    const int64_t n = static_cast<int64_t>(episodes.size());
    torch::Tensor batch = batch_buffer.slice(0, 0, n);
    std::copy(observations.begin(), observations.end(), batch.data_ptr<float>());
    const torch::Tensor chosen = policy(batch).to(torch::kCPU, torch::kFloat64).contiguous();
    if (chosen.dim() != 2 || chosen.size(0) != n || chosen.size(1) != spec.act_dim) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "policy for %s returned actions of shape %s for %d observations; expected [%d, %d]", task,
          c10::str(chosen.sizes()), n, n, spec.act_dim));
    }
    std::copy(chosen.data_ptr<double>(), chosen.data_ptr<double>() + n * spec.act_dim,
              actions.begin());
    return absl::OkStatus();
  };
  envs::EpisodeRunOptions run;
  run.episodes = options.episodes;
  run.threads = options.threads;
  run.record_states = options.record_states;
  EvaluationReport report;
  envs::EpisodeHooks hooks;
  if (options.discount > 0) {
    // Each episode's slots are written by the one worker stepping it: no two threads share one.
    report.discounted_returns.assign(options.episodes, 0.0);
    report.first_observations = torch::zeros({options.episodes, spec.obs_dim});
    report.first_actions = torch::zeros({options.episodes, spec.act_dim});
    float* const first_obs = report.first_observations.data_ptr<float>();
    float* const first_act = report.first_actions.data_ptr<float>();
    hooks.before_step = [&, first_obs, first_act](const envs::EpisodeStep& step) {
      if (step.t != 0) return;
      std::copy(step.observation.begin(), step.observation.end(),
                first_obs + step.episode * spec.obs_dim);
      std::copy(step.action.begin(), step.action.end(), first_act + step.episode * spec.act_dim);
    };
    hooks.after_step = [&](const envs::EpisodeStep& step) -> absl::StatusOr<envs::AfterStep> {
      report.discounted_returns[step.episode] +=
          std::pow(options.discount, step.t) * step.result->reward;
      return envs::AfterStep::kContinue;
    };
  }
  ROMI_ASSIGN_OR_RETURN(std::vector<envs::EpisodeSummary> episodes,
                        envs::RunEpisodes(
                            lanes,
                            [&options](int64_t episode) {
                              return seeds::EvaluationEpisode(options.seed,
                                                              static_cast<uint64_t>(episode));
                            },
                            act, run, hooks));

  for (envs::EpisodeSummary& episode : episodes) {
    report.returns.push_back(episode.return_sum);
    report.scores.push_back(envs::NormalizedScore(spec, episode.return_sum));
    report.lengths.push_back(episode.length);
    if (options.record_states) {
      report.trajectories.push_back(
          torch::tensor(episode.states, torch::kFloat32).view({episode.length + 1, spec.obs_dim}));
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::optional<StartValueCalibration> CalibrateStartValues(const EvaluationReport& report,
                                                          const ValueFunction& value) {
  const std::optional<torch::Tensor> q = value(report.first_observations, report.first_actions);
  if (!q.has_value()) return std::nullopt;
  const torch::Tensor q64 = q->to(torch::kCPU, torch::kFloat64).contiguous();
  StartValueCalibration calibration;
  calibration.q_start.assign(q64.data_ptr<double>(), q64.data_ptr<double>() + q64.numel());
  std::vector<double> gap;
  for (size_t i = 0; i < calibration.q_start.size(); ++i) {
    gap.push_back(calibration.q_start[i] - report.discounted_returns.at(i));
  }
  calibration.q = PopulationMeanStd(calibration.q_start);
  calibration.discounted_return = PopulationMeanStd(report.discounted_returns);
  calibration.gap = PopulationMeanStd(gap);
  return calibration;
}

}  // namespace romi::eval
