// Which D4RL datasets this project can generate without a network, and generating them by task
// name: one table row per task (task, D4RL's row count, recipe, generator).
//
//   maze2d-{umaze,medium,large}[-dense]-v1   waypoint controller (maze2d_generator.h),
//                                            1e6 / 2e6 / 4e6 rows
//   {hopper,walker2d,halfcheetah}-random-v2  uniform random policy (random_policy_generator.h),
//                                            1e6 rows
//   {hopper,halfcheetah}-medium-v2           the shipped SAC behaviour policy
//                                            (policy_generator.h, datagen/policies/), 1e6 rows
//   {hopper,halfcheetah}-medium-replay-v2    that policy's training run, re-created: its replay
//                                            buffer up to the medium step, 7e4 / 8e4 rows
// Other tasks (the other medium, expert and replay datasets; antmaze): not yet.
#ifndef ROMI_DATAGEN_DATASET_GENERATORS_H_
#define ROMI_DATAGEN_DATASET_GENERATORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"
#include "datagen/generator_options.h"

namespace romi::datagen {

struct GeneratorInfo {
  std::string task;
  // The size of D4RL's own file (the default size), except for a medium-replay dataset: the size
  // of our run's replay buffer.
  int64_t d4rl_rows = 0;
  // Names the recipe and its version; stored in generated files, so a cached file made by an
  // older recipe is recognised and regenerated. Bump the version when a generator's output changes.
  std::string recipe;
};

// The generatable tasks, sorted by name.
std::vector<std::string> GeneratableTasks();

// NotFoundError listing the generatable tasks for any other task.
absl::StatusOr<GeneratorInfo> FindGenerator(absl::string_view task);

// Generates `task`'s dataset; metadata_strings gets romi_task, romi_recipe, romi_seed, romi_rows
// and romi_fingerprint (fingerprint.h).
absl::StatusOr<data::D4rlFile> GenerateDataset(absl::string_view task,
                                               const GeneratorOptions& options);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_DATASET_GENERATORS_H_
