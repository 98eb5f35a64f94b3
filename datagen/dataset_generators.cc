#include "datagen/dataset_generators.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "data/fingerprint.h"
#include "datagen/antmaze_generator.h"
#include "datagen/maze2d_generator.h"
#include "datagen/policy_generator.h"
#include "datagen/random_policy_generator.h"

namespace romi::datagen {
namespace {

using GenerateFn = absl::StatusOr<data::D4rlFile> (*)(absl::string_view, const GeneratorOptions&);

struct Recipe {
  const char* task;
  int64_t d4rl_rows;
  const char* recipe;
  GenerateFn generate;
};

constexpr char kMaze2dRecipe[] = "maze2d-waypoint-controller/1";
constexpr char kRandomRecipe[] = "uniform-random-policy/1";
// The policy files are part of the recipe: replacing one means bumping this version.
// 2: medium-expert marks the cut at the end of its medium half.
constexpr char kPolicyRecipe[] = "sac-behaviour-policy/2";
constexpr char kReplayRecipe[] = "sac-replay-buffer/1";
// The goal-reaching policy file is part of the recipe: replacing it means bumping this version.
constexpr char kAntMazeRecipe[] = "antmaze-bfs-navigator/1";

// medium-expert: 1e6 rows of the medium policy, then 1e6 of the expert one.
constexpr Recipe kRecipes[] = {
    {"antmaze-large-diverse-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"antmaze-large-play-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"antmaze-medium-diverse-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"antmaze-medium-play-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"antmaze-umaze-diverse-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"antmaze-umaze-v0", 1'000'000, kAntMazeRecipe, &GenerateAntMazeDataset},
    {"halfcheetah-expert-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"halfcheetah-medium-expert-v2", 2'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"halfcheetah-medium-replay-v2", 80'000, kReplayRecipe, &GenerateShippedPolicyDataset},
    {"halfcheetah-medium-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"halfcheetah-random-v2", 1'000'000, kRandomRecipe, &GenerateRandomPolicyDataset},
    {"hopper-expert-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"hopper-medium-expert-v2", 2'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    // D4RL's file has 402 000 rows; ours is the whole replay buffer of the shipped medium policy's
    // run (datagen/policies/manifest.textproto: train_steps).
    {"hopper-medium-replay-v2", 70'000, kReplayRecipe, &GenerateShippedPolicyDataset},
    {"hopper-medium-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"hopper-random-v2", 1'000'000, kRandomRecipe, &GenerateRandomPolicyDataset},
    {"maze2d-large-dense-v1", 4'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"maze2d-large-v1", 4'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"maze2d-medium-dense-v1", 2'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"maze2d-medium-v1", 2'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"maze2d-umaze-dense-v1", 1'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"maze2d-umaze-v1", 1'000'000, kMaze2dRecipe, &GenerateMaze2dDataset},
    {"walker2d-expert-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"walker2d-medium-expert-v2", 2'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    // The whole replay buffer of the shipped medium policy's run, which took 370 000 steps to
    // reach medium (re-creating it re-runs them: about an hour on one core).
    {"walker2d-medium-replay-v2", 370'000, kReplayRecipe, &GenerateShippedPolicyDataset},
    {"walker2d-medium-v2", 1'000'000, kPolicyRecipe, &GenerateShippedPolicyDataset},
    {"walker2d-random-v2", 1'000'000, kRandomRecipe, &GenerateRandomPolicyDataset},
};

absl::StatusOr<const Recipe*> FindRecipe(absl::string_view task) {
  for (const Recipe& recipe : kRecipes) {
    if (task == recipe.task) return &recipe;
  }
  return absl::NotFoundError(absl::StrCat(
      "no dataset generator for '", task,
      "' (the other gym medium, expert and replay datasets need behaviour policies not shipped "
      "yet); "
      "generatable tasks: ",
      absl::StrJoin(GeneratableTasks(), ", ")));
}

}  // namespace

std::vector<std::string> GeneratableTasks() {
  std::vector<std::string> tasks;
  for (const Recipe& recipe : kRecipes) tasks.push_back(recipe.task);
  std::sort(tasks.begin(), tasks.end());
  return tasks;
}

absl::StatusOr<GeneratorInfo> FindGenerator(absl::string_view task) {
  ROMI_ASSIGN_OR_RETURN(const Recipe* recipe, FindRecipe(task));
  return GeneratorInfo{recipe->task, recipe->d4rl_rows, recipe->recipe};
}

absl::StatusOr<data::D4rlFile> GenerateDataset(absl::string_view task,
                                               const GeneratorOptions& options) {
  ROMI_ASSIGN_OR_RETURN(const Recipe* recipe, FindRecipe(task));
  ROMI_ASSIGN_OR_RETURN(data::D4rlFile file, recipe->generate(task, options));
  file.metadata_strings["romi_task"] = recipe->task;
  file.metadata_strings["romi_recipe"] = recipe->recipe;
  file.metadata_strings["romi_seed"] = absl::StrCat(options.seed);
  file.metadata_strings["romi_rows"] = absl::StrCat(options.rows);
  file.metadata_strings["romi_fingerprint"] = data::FingerprintArrays(file);
  return file;
}

}  // namespace romi::datagen
