#include "eval/model_fidelity.h"

#include <memory>
#include <vector>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "envs/registry.h"

namespace romi::eval {
namespace {

// Row `i` of a float [N, d] CPU tensor as doubles.
std::vector<double> Row(const torch::Tensor& table, int64_t i) {
  const float* p = table.data_ptr<float>() + i * table.size(1);
  return std::vector<double>(p, p + table.size(1));
}

}  // namespace

torch::Tensor FidelityRows(int64_t rows, int64_t max_rows, uint64_t seed) {
  if (max_rows <= 0 || rows <= max_rows) return torch::arange(rows, torch::kLong);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randperm(rows, generator, torch::kLong).slice(0, 0, max_rows);
}

absl::StatusOr<ModelDataFidelity> ReplayInSimulator(const std::string& task,
                                                    const data::Transitions& transitions) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<envs::Env> env, envs::MakeEnv(task));
  const envs::EnvSpec& spec = env->Spec();
  const int64_t n = transitions.size();
  if (n == 0 || transitions.obs_dim() != spec.obs_dim || transitions.act_dim() != spec.act_dim) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: cannot replay a table of %d rows with obs %d / act %d in a task with obs %d / act %d",
        task, n, n == 0 ? 0 : transitions.obs_dim(), n == 0 ? 0 : transitions.act_dim(),
        spec.obs_dim, spec.act_dim));
  }
  const torch::Tensor s = transitions.observations.to(torch::kFloat).contiguous();
  const torch::Tensor a = transitions.actions.to(torch::kFloat).contiguous();
  const torch::Tensor next = transitions.next_observations.to(torch::kFloat).contiguous();
  const torch::Tensor r = transitions.rewards.to(torch::kFloat).contiguous();

  int64_t replayed = 0, failed = 0;
  double squared_error = 0, squared_motion = 0, reward_error = 0;
  double table_reward = 0, simulator_reward = 0;
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<double> start = Row(s, i);
    if (!env->SetStateFromObservation(start).ok()) {
      ++failed;
      continue;
    }
    const absl::StatusOr<envs::StepResult> step = env->Step(Row(a, i));
    if (!step.ok()) {
      ++failed;
      continue;
    }
    const std::vector<double> claimed = Row(next, i);
    for (int k = 0; k < spec.obs_dim; ++k) {
      const double error = claimed[k] - step->observation[k];
      const double motion = step->observation[k] - start[k];
      squared_error += error * error;
      squared_motion += motion * motion;
    }
    reward_error += std::abs(r.data_ptr<float>()[i] - step->reward);
    table_reward += r.data_ptr<float>()[i];
    simulator_reward += step->reward;
    ++replayed;
  }
  ModelDataFidelity fidelity;
  fidelity.set_rows(replayed);
  fidelity.set_failed(failed);
  const double count = static_cast<double>(std::max<int64_t>(replayed, 1));
  fidelity.set_next_state_mse(squared_error / (count * spec.obs_dim));
  fidelity.set_relative_error(replayed > 0 ? squared_error / std::max(squared_motion, 1e-12) : 0.0);
  fidelity.set_reward_mae(reward_error / count);
  fidelity.set_table_reward_mean(table_reward / count);
  fidelity.set_simulator_reward_mean(simulator_reward / count);
  return fidelity;
}

}  // namespace romi::eval
