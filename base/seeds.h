// Every seed derivation of the project, in one place, each named for the stream it feeds.
//
// The formulas are frozen: cached datasets (their fingerprints), the shipped policies' measured
// scores, the curves in docs/RESULTS.md and the bit-identical resumption of runs all depend on
// them. Changing one is a new recipe: bump the generators' recipe versions and re-measure.
#ifndef ROMI_BASE_SEEDS_H_
#define ROMI_BASE_SEEDS_H_

#include <cstdint>

namespace romi::seeds {

// SplitMix64's increment (2^64 / golden ratio).
inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function: decorrelates inputs that differ in one bit.
constexpr uint64_t Finalize(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One SplitMix64 step: increment, then output.
constexpr uint64_t Mix(uint64_t x) { return Finalize(x + kGoldenGamma); }

// Stream `stream` of a run seed, at `index` within it: the pipeline's stages (romi/pipeline.cc
// numbers them) and, per checkpoint, its learner's batch sampler.
constexpr uint64_t Stream(uint64_t seed, uint64_t stream, uint64_t index = 0) {
  return Mix(Mix(Mix(seed) ^ stream) ^ index);
}

// A second generator from one seed: a learner's acting noise beside its training draws, and the
// random policy of //envs:rollout beside the env's reset.
constexpr uint64_t Sibling(uint64_t seed) { return seed ^ kGoldenGamma; }

// The evaluator's episode `episode` of an evaluation seeded `seed`.
constexpr uint64_t EvaluationEpisode(uint64_t seed, uint64_t episode) {
  return Finalize(seed * kGoldenGamma + episode + 1);
}

// The evaluation seed of a run: every evaluation of a run, in every method, starts from the
// episodes of this seed (the authors re-seed their evaluation env with seed + 100).
constexpr uint64_t RunEvaluation(uint64_t run_seed) { return run_seed + 100; }

// Online SAC (datagen/online_sac.cc): the training episodes, the evaluation episodes and the batch
// sampler after each checkpoint, disjoint families of one run seed.
constexpr uint64_t OnlineTrainingEpisode(uint64_t seed, uint64_t episode) {
  return seed * 1000003ULL + episode;
}
constexpr uint64_t OnlineEvaluationEpisode(uint64_t seed, uint64_t episode) {
  return seed * 1000003ULL + 500000000ULL + episode;
}
constexpr uint64_t OnlineSampler(uint64_t seed, uint64_t step) {
  return seed * 7919ULL + step * 104729ULL + 3;
}

}  // namespace romi::seeds

#endif  // ROMI_BASE_SEEDS_H_
