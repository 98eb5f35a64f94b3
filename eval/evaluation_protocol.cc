#include "eval/evaluation_protocol.h"

#include <algorithm>

#include "base/seeds.h"

namespace romi::eval {

uint64_t EvaluationSeed(uint64_t run_seed) { return seeds::RunEvaluation(run_seed); }

EvaluationOptions CheckpointEvaluation(const Budget& budget, uint64_t run_seed, int threads) {
  EvaluationOptions options;
  options.episodes = budget.eval_episodes();
  options.seed = EvaluationSeed(run_seed);
  options.threads = threads;
  return options;
}

EvaluationOptions FinalEvaluation(const Budget& budget, uint64_t run_seed, int threads) {
  EvaluationOptions options = CheckpointEvaluation(budget, run_seed, threads);
  options.episodes = budget.final_eval_episodes();
  options.record_states = true;
  return options;
}

void SummarizeCurve(RunResult* run) {
  run->clear_last_mean();
  run->clear_last_count();
  run->clear_best();
  const int n = run->curve_size();
  if (n == 0) return;
  const int first = std::max(0, n - kLastEvaluations);
  double sum = 0;
  for (int i = first; i < n; ++i) sum += run->curve(i).score_mean();
  run->set_last_mean(sum / (n - first));
  run->set_last_count(n - first);
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (run->curve(i).score_mean() > run->curve(best).score_mean()) best = i;
  }
  *run->mutable_best() = run->curve(best);
}

}  // namespace romi::eval
