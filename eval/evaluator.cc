#include "eval/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/seeds.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "envs/env.h"
#include "envs/normalized_score.h"
#include "envs/registry.h"

namespace romi::eval {
namespace {

uint64_t EpisodeSeed(uint64_t seed, int episode) {
  return seeds::EvaluationEpisode(seed, static_cast<uint64_t>(episode));
}

struct Episode {
  std::unique_ptr<envs::Env> env;
  std::vector<double> observation;
  std::vector<float> visited;  // with record_states: every state, row-major
  double return_sum = 0;
  int length = 0;
  bool done = false;
  absl::Status status;
};

// Runs `body(i)` for i in [0, count) on up to `threads` workers.
void ParallelFor(int count, int threads, const std::function<void(int)>& body) {
  const int workers = std::min(threads, count);
  if (workers <= 1) {
    for (int i = 0; i < count; ++i) body(i);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (int i = w; i < count; i += workers) body(i);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

}  // namespace

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
  std::vector<Episode> episodes(options.episodes);
  for (int i = 0; i < options.episodes; ++i) {
    ROMI_ASSIGN_OR_RETURN(episodes[i].env, envs::MakeEnv(task));
    episodes[i].observation = episodes[i].env->Reset(EpisodeSeed(options.seed, i));
    if (options.record_states) {
      episodes[i].visited.reserve(static_cast<size_t>(spec.max_episode_steps + 1) * spec.obs_dim);
      episodes[i].visited.insert(episodes[i].visited.end(), episodes[i].observation.begin(),
                                 episodes[i].observation.end());
    }
  }

  torch::NoGradGuard no_grad;
  const torch::Tensor batch_buffer = torch::empty({options.episodes, spec.obs_dim});
  std::vector<int> running(options.episodes);
  std::iota(running.begin(), running.end(), 0);
  while (!running.empty()) {
    const int n = static_cast<int>(running.size());
    torch::Tensor observations = batch_buffer.slice(0, 0, n);
    float* obs = observations.data_ptr<float>();
    for (int r = 0; r < n; ++r) {
      const std::vector<double>& o = episodes[running[r]].observation;
      std::copy(o.begin(), o.end(), obs + static_cast<int64_t>(r) * spec.obs_dim);
    }
    const torch::Tensor actions =
        policy(observations).to(torch::kCPU, torch::kFloat64).contiguous();
    if (actions.dim() != 2 || actions.size(0) != n || actions.size(1) != spec.act_dim) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "policy for %s returned actions of shape %s for %d observations; expected [%d, %d]", task,
          c10::str(actions.sizes()), n, n, spec.act_dim));
    }
    const double* act = actions.data_ptr<double>();
    ParallelFor(n, options.threads, [&](int r) {
      Episode& episode = episodes[running[r]];
      absl::StatusOr<envs::StepResult> step = episode.env->Step(
          absl::MakeConstSpan(act + static_cast<int64_t>(r) * spec.act_dim, spec.act_dim));
      if (!step.ok()) {
        episode.status = step.status();
        episode.done = true;
        return;
      }
      episode.return_sum += step->reward;
      ++episode.length;
      episode.observation = std::move(step->observation);
      if (options.record_states) {
        episode.visited.insert(episode.visited.end(), episode.observation.begin(),
                               episode.observation.end());
      }
      episode.done = step->terminated || step->truncated;
    });
    std::vector<int> still_running;
    still_running.reserve(n);
    for (int i : running) {
      if (!episodes[i].status.ok()) {
        return absl::Status(episodes[i].status.code(),
                            absl::StrFormat("%s episode %d, step %d: %s", task, i,
                                            episodes[i].length + 1, episodes[i].status.message()));
      }
      if (!episodes[i].done) still_running.push_back(i);
    }
    running.swap(still_running);
  }

  EvaluationReport report;
  for (Episode& episode : episodes) {
    report.returns.push_back(episode.return_sum);
    report.scores.push_back(envs::NormalizedScore(spec, episode.return_sum));
    report.lengths.push_back(episode.length);
    if (options.record_states) {
      report.trajectories.push_back(
          torch::from_blob(
              episode.visited.data(),
              {static_cast<int64_t>(episode.visited.size()) / spec.obs_dim, spec.obs_dim},
              torch::kFloat32)
              .clone());
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace romi::eval
