// A small synthetic dataset in D4RL's layout, for demos, tests and benchmarks before (or without)
// a simulator: a 2-D point mass pushed by random actions.
//
//   observation (4): x, y, vx, vy        action (2): force in [-1, 1]^2
//   v' = 0.9 v + 0.1 a,  p' = p + 0.1 v'   reward = 1 - |p'|   (higher near the origin)
//   terminal when |p'| > 2 (the mass left the arena); timeout after `episode_steps` steps.
// Rows are stored as D4RL does: one long array of consecutive episodes, next_observations stored,
// infos/qpos and infos/qvel the position and velocity, infos/goal the origin.
#ifndef ROMI_DATA_SYNTHETIC_H_
#define ROMI_DATA_SYNTHETIC_H_

#include <cstdint>

#include "data/d4rl_file.h"

namespace romi::data {

// Deterministic in `seed`.
D4rlFile MakePointMassDataset(int64_t rows, int64_t episode_steps, uint64_t seed);

}  // namespace romi::data

#endif  // ROMI_DATA_SYNTHETIC_H_
