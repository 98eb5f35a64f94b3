// Runs episodes of a D4RL task in the native simulator and prints returns, normalized scores and
// the simulation speed:
//   bazel run //envs:rollout -- --task=hopper-medium-v2 --policy=random --episodes=10
// Policies: "random" (uniform in the action bounds, the policy behind D4RL's reference minima)
// and "zero" (all-zero actions).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/seeds.h"
#include "base/stats.h"
#include "envs/env.h"
#include "envs/episode_runner.h"
#include "envs/normalized_score.h"
#include "envs/registry.h"

ABSL_FLAG(std::string, task, "hopper-medium-v2", "D4RL task name.");
ABSL_FLAG(std::string, policy, "random", "Policy: random or zero.");
ABSL_FLAG(int, episodes, 10, "Number of episodes.");
ABSL_FLAG(uint64_t, seed, 0, "Seed of the first episode; episode i uses seed + i.");
ABSL_FLAG(bool, verbose, true, "Print every episode, not only the summary.");

namespace romi::envs {
namespace {

absl::Status Run() {
  const std::string policy = absl::GetFlag(FLAGS_policy);
  if (policy != "random" && policy != "zero") {
    return absl::InvalidArgumentError("unknown --policy '" + policy +
                                      "'; valid policies: random, zero");
  }
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes <= 0) return absl::InvalidArgumentError("--episodes must be positive");
  absl::StatusOr<std::unique_ptr<Env>> made = MakeEnv(absl::GetFlag(FLAGS_task));
  if (!made.ok()) return made.status();
  Env& env = **made;
  const EnvSpec& spec = env.Spec();

  // Random actions from a generator per episode, seeded from the episode's seed.
  const uint64_t first_seed = absl::GetFlag(FLAGS_seed);
  int64_t policy_episode = -1;
  std::mt19937_64 policy_rng;
  const BatchActFn act = [&](absl::Span<const int64_t> episode, absl::Span<const double>,
                             absl::Span<double> action) {
    if (policy == "zero") {
      std::fill(action.begin(), action.end(), 0.0);
      return absl::OkStatus();
    }
    if (episode[0] != policy_episode) {
      policy_episode = episode[0];
      policy_rng.seed(seeds::Sibling(first_seed + policy_episode));
    }
    for (int i = 0; i < spec.act_dim; ++i) {
      action[i] = std::uniform_real_distribution<double>(spec.action_low[i],
                                                         spec.action_high[i])(policy_rng);
    }
    return absl::OkStatus();
  };
  EpisodeRunOptions run;
  run.episodes = episodes;
  Env* lanes[] = {&env};
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<EpisodeSummary>> summaries = RunEpisodes(
      lanes, [first_seed](int64_t episode) { return first_seed + episode; }, act, run);
  const absl::Duration sim_time = absl::Now() - start;
  if (!summaries.ok()) return summaries.status();

  std::vector<double> returns, scores;
  int64_t total_steps = 0;
  for (int episode = 0; episode < episodes; ++episode) {
    const EpisodeSummary& summary = (*summaries)[episode];
    total_steps += summary.length;
    returns.push_back(summary.return_sum);
    scores.push_back(NormalizedScore(spec, summary.return_sum));
    if (absl::GetFlag(FLAGS_verbose)) {
      std::printf("episode %3d  seed %llu  steps %4d  return %10.3f  normalized %8.3f\n", episode,
                  static_cast<unsigned long long>(first_seed + episode), summary.length,
                  summary.return_sum, scores.back());
    }
  }
  const auto [return_mean, return_std] = PopulationMeanStd(returns);
  const auto [score_mean, score_std] = PopulationMeanStd(scores);
  std::printf("%s  policy %s  episodes %d  mean steps %.1f\n", spec.task.c_str(), policy.c_str(),
              episodes, double(total_steps) / episodes);
  std::printf("return      %.3f +- %.3f\n", return_mean, return_std);
  std::printf("normalized  %.3f +- %.3f\n", score_mean, score_std);
  std::printf("env steps/s %.0f\n", total_steps / absl::ToDoubleSeconds(sim_time));
  return absl::OkStatus();
}

}  // namespace
}  // namespace romi::envs

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = romi::envs::Run();
  if (!status.ok()) {
    std::fprintf(stderr, "rollout: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
