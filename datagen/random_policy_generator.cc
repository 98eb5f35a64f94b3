#include "datagen/random_policy_generator.h"

#include <cmath>
#include <random>
#include <vector>

#include "base/status_macros.h"
#include "datagen/rollout_recorder.h"
#include "envs/registry.h"

namespace romi::datagen {

absl::StatusOr<data::D4rlFile> GenerateRandomPolicyDataset(absl::string_view task,
                                                           const GeneratorOptions& options) {
  ROMI_RETURN_IF_ERROR(CheckGeneratorOptions(task, options));
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  // One generator for actions and resets, drawn in the order the recorder calls them.
  std::mt19937_64 rng(options.seed);
  std::vector<std::uniform_real_distribution<double>> uniform;
  double log_prob = 0.0;
  for (int i = 0; i < spec.act_dim; ++i) {
    uniform.emplace_back(spec.action_low[i], spec.action_high[i]);
    log_prob -= std::log(spec.action_high[i] - spec.action_low[i]);
  }
  ROMI_ASSIGN_OR_RETURN(
      data::D4rlFile file,
      RecordRollouts(task, options, rng,
                     [&](absl::Span<const double> /*observation*/, std::vector<double>& action) {
                       for (size_t i = 0; i < action.size(); ++i) action[i] = uniform[i](rng);
                       return log_prob;
                     }));
  file.metadata_strings["algorithm"] = "romi uniform random policy";
  return file;
}

}  // namespace romi::datagen
