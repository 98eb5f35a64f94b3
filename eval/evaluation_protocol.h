// How a run's policy is evaluated, and what is reported of it: one protocol for every method.
//
//   - Checkpoint evaluations (every checkpoint_every steps): budget.eval_episodes episodes whose
//     start states are drawn once per run seed (seed + 100, as the authors re-seed their
//     evaluation env at every evaluation). The same starts at every evaluation of a run and in
//     every method's run of that seed, so two points of a curve, or two methods at one step, differ
//     by their policies and not by the draw of start states.
//   - The final evaluation: the last policy on budget.final_eval_episodes episodes (100 by
//     default) from the same seed; its first eval_episodes starts are the checkpoints' starts.
//     Starts are i.i.d. draws from the env's reset distribution, not stratified (for maze2d:
//     uniform over the open cells, the goal cell included, so about one start in seven of
//     maze2d-umaze lies in the goal cell).
//   - Per run: the final evaluation's score, the mean of the last 10 checkpoint evaluations, and
//     the best checkpoint evaluation (an optimistic number: it picks the maximum of noisy points).
#ifndef ROMI_EVAL_EVALUATION_PROTOCOL_H_
#define ROMI_EVAL_EVALUATION_PROTOCOL_H_

#include <cstdint>

#include "eval/evaluator.h"
#include "eval/suite.pb.h"

namespace romi::eval {

// How many checkpoint evaluations the "last" mean covers.
inline constexpr int kLastEvaluations = 10;

// The evaluation env's seed of a run: the same for all its evaluations and across methods.
uint64_t EvaluationSeed(uint64_t run_seed);

// A checkpoint's evaluation of a run of `run_seed`.
EvaluationOptions CheckpointEvaluation(const Budget& budget, uint64_t run_seed, int threads);

// The final policy's evaluation; records visited states (for the trajectory discrepancy).
EvaluationOptions FinalEvaluation(const Budget& budget, uint64_t run_seed, int threads);

// Fills run->last_mean (mean score of the last kLastEvaluations curve points, or of all when there
// are fewer) and run->best (the curve point with the highest mean score, the earliest on ties).
// Leaves both unset when the curve is empty.
void SummarizeCurve(RunResult* run);

}  // namespace romi::eval

#endif  // ROMI_EVAL_EVALUATION_PROTOCOL_H_
