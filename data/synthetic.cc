#include "data/synthetic.h"

#include <cmath>
#include <random>

namespace romi::data {

D4rlFile MakePointMassDataset(int64_t rows, int64_t episode_steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> action_noise(-1.0f, 1.0f);
  std::uniform_real_distribution<float> start(-0.5f, 0.5f);

  D4rlFile file;
  file.observations = torch::empty({rows, 4});
  file.next_observations = torch::empty({rows, 4});
  file.actions = torch::empty({rows, 2});
  file.rewards = torch::empty({rows});
  file.terminals = torch::zeros({rows});
  file.timeouts = torch::zeros({rows});
  auto obs = file.observations.accessor<float, 2>();
  auto next = file.next_observations.accessor<float, 2>();
  auto act = file.actions.accessor<float, 2>();
  auto reward = file.rewards.accessor<float, 1>();
  auto terminal = file.terminals.accessor<float, 1>();
  auto timeout = file.timeouts.accessor<float, 1>();

  float x = start(rng), y = start(rng), vx = 0, vy = 0;
  int64_t step = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const float ax = action_noise(rng), ay = action_noise(rng);
    obs[i][0] = x, obs[i][1] = y, obs[i][2] = vx, obs[i][3] = vy;
    act[i][0] = ax, act[i][1] = ay;
    vx = 0.9f * vx + 0.1f * ax;
    vy = 0.9f * vy + 0.1f * ay;
    x += 0.1f * vx;
    y += 0.1f * vy;
    next[i][0] = x, next[i][1] = y, next[i][2] = vx, next[i][3] = vy;
    const float distance = std::sqrt(x * x + y * y);
    reward[i] = 1.0f - distance;
    ++step;
    if (distance > 2.0f) {
      terminal[i] = 1;
    } else if (step == episode_steps) {
      timeout[i] = 1;
    }
    if (terminal[i] != 0 || timeout[i] != 0) {
      x = start(rng), y = start(rng), vx = 0, vy = 0;
      step = 0;
    }
  }
  file.infos["qpos"] = file.observations.slice(1, 0, 2).clone();
  file.infos["qvel"] = file.observations.slice(1, 2, 4).clone();
  file.infos["goal"] = torch::zeros({rows, 2});
  file.metadata_strings["algorithm"] = "uniform random actions (romi synthetic point mass)";
  return file;
}

}  // namespace romi::data
