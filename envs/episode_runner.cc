#include "envs/episode_runner.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::envs {
namespace {

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

struct Lane {
  Env* env = nullptr;
  int64_t episode = -1;  // -1: idle
  std::vector<double> observation;
  absl::StatusOr<StepResult> result;
};

absl::Status CheckArguments(absl::Span<Env* const> lanes, const EpisodeSeedFn& seed_of,
                            const BatchActFn& act, const EpisodeRunOptions& options) {
  if (lanes.empty() || !seed_of || !act) {
    return absl::InvalidArgumentError("RunEpisodes needs at least one env, a seed and a policy");
  }
  for (Env* env : lanes) {
    if (env == nullptr || env->Spec().task != lanes[0]->Spec().task) {
      return absl::InvalidArgumentError(
          absl::StrCat("RunEpisodes runs one task on every lane; got ", lanes[0]->Spec().task,
                       " and ", env == nullptr ? "a null env" : env->Spec().task));
    }
  }
  if (options.episodes < 1 || options.max_steps < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        lanes[0]->Spec().task, ": RunEpisodes needs episodes >= 1 and max_steps >= 0, got ",
        options.episodes, " and ", options.max_steps));
  }
  return absl::OkStatus();
}

// One call of RunEpisodes: the lanes, the episodes so far and the round's batch.
class EpisodeLoop {
 public:
  EpisodeLoop(absl::Span<Env* const> lanes, const EpisodeSeedFn& seed_of, const BatchActFn& act,
              const EpisodeRunOptions& options, const EpisodeHooks& hooks)
      : spec_(lanes[0]->Spec()),
        seed_of_(seed_of),
        act_(act),
        options_(options),
        hooks_(hooks),
        lanes_(lanes.size()),
        observations_(lanes.size() * spec_.obs_dim),
        actions_(lanes.size() * spec_.act_dim) {
    for (size_t l = 0; l < lanes.size(); ++l) lanes_[l].env = lanes[l];
  }

  absl::StatusOr<std::vector<EpisodeSummary>> Run() {
    for (Lane& lane : lanes_) StartNext(lane);
    while (true) {
      const int n = GatherRunning();
      if (n == 0) break;
      ROMI_RETURN_IF_ERROR(act_(episodes_, absl::MakeConstSpan(observations_.data(), n * obs_dim()),
                                absl::MakeSpan(actions_.data(), n * act_dim())));
      const int64_t round_start = total_;
      if (hooks_.before_step) {
        for (int r = 0; r < n; ++r) hooks_.before_step(View(r, round_start));
      }
      ParallelFor(n, options_.threads,
                  [&](int r) { running_[r]->result = running_[r]->env->Step(Action(r)); });
      for (int r = 0; r < n; ++r) ROMI_RETURN_IF_ERROR(Finish(r, round_start));
    }
    return std::move(summaries_);
  }

 private:
  int64_t obs_dim() const { return spec_.obs_dim; }
  int64_t act_dim() const { return spec_.act_dim; }
  bool OutOfSteps() const { return options_.max_steps > 0 && total_ >= options_.max_steps; }
  absl::Span<const double> Action(int r) const {
    return absl::MakeConstSpan(actions_.data() + r * act_dim(), act_dim());
  }

  void StartNext(Lane& lane) {
    if (static_cast<int64_t>(summaries_.size()) >= options_.episodes || OutOfSteps()) {
      lane.episode = -1;
      return;
    }
    lane.episode = static_cast<int64_t>(summaries_.size());
    lane.observation = lane.env->Reset(seed_of_(lane.episode));
    EpisodeSummary& summary = summaries_.emplace_back();
    if (options_.record_states) {
      summary.states.reserve(static_cast<size_t>(spec_.max_episode_steps + 1) * obs_dim());
      summary.states = lane.observation;
    }
  }

  // The running lanes, their episodes and observations; returns how many step this round.
  int GatherRunning() {
    running_.clear();
    episodes_.clear();
    for (Lane& lane : lanes_) {
      if (lane.episode < 0) continue;
      running_.push_back(&lane);
      episodes_.push_back(lane.episode);
    }
    int64_t n = static_cast<int64_t>(running_.size());
    if (options_.max_steps > 0) n = std::min(n, options_.max_steps - total_);
    episodes_.resize(std::max<int64_t>(n, 0));
    for (int64_t r = 0; r < n; ++r) {
      std::copy(running_[r]->observation.begin(), running_[r]->observation.end(),
                observations_.begin() + r * obs_dim());
    }
    return static_cast<int>(std::max<int64_t>(n, 0));
  }

  EpisodeStep View(int r, int64_t round_start) const {
    const Lane& lane = *running_[r];
    EpisodeStep step;
    step.episode = lane.episode;
    step.t = summaries_[lane.episode].length;
    step.total = round_start + r;
    step.observation = lane.observation;
    step.action = Action(r);
    step.env = lane.env;
    return step;
  }

  // Books lane r's step of this round, then starts its next episode if this one ended.
  absl::Status Finish(int r, int64_t round_start) {
    Lane& lane = *running_[r];
    EpisodeSummary& summary = summaries_[lane.episode];
    if (!lane.result.ok()) {
      return absl::Status(lane.result.status().code(),
                          absl::StrFormat("%s episode %d, step %d: %s", spec_.task, lane.episode,
                                          summary.length + 1, lane.result.status().message()));
    }
    StepResult& result = *lane.result;
    AfterStep next = AfterStep::kContinue;
    if (hooks_.after_step) {
      EpisodeStep step = View(r, round_start);
      step.result = &result;
      ROMI_ASSIGN_OR_RETURN(next, hooks_.after_step(step));
    }
    summary.return_sum += result.reward;
    ++summary.length;
    if (options_.record_states) {
      summary.states.insert(summary.states.end(), result.observation.begin(),
                            result.observation.end());
    }
    total_ = round_start + r + 1;
    lane.observation = std::move(result.observation);
    if (result.terminated || result.truncated || next == AfterStep::kEndEpisode) {
      summary.terminated = result.terminated;
      summary.truncated = result.truncated && !result.terminated;
      StartNext(lane);  // may move `summary`
    } else if (OutOfSteps()) {
      lane.episode = -1;
    }
    return absl::OkStatus();
  }

  const EnvSpec& spec_;
  const EpisodeSeedFn& seed_of_;
  const BatchActFn& act_;
  const EpisodeRunOptions& options_;
  const EpisodeHooks& hooks_;
  std::vector<Lane> lanes_;
  std::vector<EpisodeSummary> summaries_;
  int64_t total_ = 0;  // steps taken by every episode
  std::vector<Lane*> running_;
  std::vector<int64_t> episodes_;
  std::vector<double> observations_;
  std::vector<double> actions_;
};

}  // namespace

absl::StatusOr<std::vector<EpisodeSummary>> RunEpisodes(absl::Span<Env* const> lanes,
                                                        const EpisodeSeedFn& seed_of,
                                                        const BatchActFn& act,
                                                        const EpisodeRunOptions& options,
                                                        const EpisodeHooks& hooks) {
  ROMI_RETURN_IF_ERROR(CheckArguments(lanes, seed_of, act, options));
  return EpisodeLoop(lanes, seed_of, act, options, hooks).Run();
}

}  // namespace romi::envs
