// Makes a D4RL-layout dataset with the native simulators (no network), e.g.
//
//   bazel run //datagen:make_dataset -- --task=maze2d-umaze-v1 --out=/tmp/maze2d-umaze-v1.hdf5
//   bazel run //datagen:make_dataset -- --task=hopper-random-v2 --size=20000 --seed=1
//   bazel run //datagen:make_dataset -- --list
//   bazel run //datagen:make_dataset -- --task=maze2d-umaze-v1 --format=minari [--minari_dir=R]
//   bazel run //datagen:make_dataset -- --task=maze2d-umaze-v1 --evaluate_controller
//   [--episodes=100]
//       [--replan_each_episode]
//
// With --out the dataset is generated and written there (atomically); without it, it is
// generated into the dataset cache (dataset_source.h), or found there, and the cache path printed.
// --format=minari writes the dataset (taken from the cache, or generated into it) in Minari's
// layout (data/minari.h) as the Minari dataset MinariIdForTask(task), e.g. romi/maze2d/umaze-v1,
// under the Minari root (--minari_dir, else $MINARI_DATASETS_PATH, else ~/.minari/datasets), where
// the suite finds it; --out then names the dataset's data directory instead.
// --size=0 means D4RL's size (1e6 / 2e6 / 4e6 rows for maze2d umaze / medium / large).
// --evaluate_controller scores the maze2d waypoint controller in the env the way D4RL measured
// its reference max return (maze2d_generator.h), instead of making a dataset.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/blas_tuning.h"
#include "base/progress_bar.h"
#include "base/stats.h"
#include "base/status_macros.h"
#include "data/d4rl_file.h"
#include "data/minari.h"
#include "datagen/antmaze_generator.h"
#include "datagen/dataset_generators.h"
#include "datagen/dataset_source.h"
#include "datagen/maze2d_generator.h"
#include "envs/registry.h"

ABSL_FLAG(std::string, task, "", "D4RL task name, e.g. maze2d-umaze-v1.");
ABSL_FLAG(std::string, out, "",
          "Output .hdf5 file (--format=minari: the data directory); empty: the dataset cache "
          "(minari: the Minari root).");
ABSL_FLAG(uint64_t, seed, 0, "Generation seed.");
ABSL_FLAG(int64_t, size, 0, "Rows to generate; 0: D4RL's size.");
ABSL_FLAG(std::string, cache_dir, "", "Dataset cache directory (default: see dataset_source.h).");
ABSL_FLAG(std::string, format, "d4rl",
          "d4rl: D4RL's HDF5 layout; minari: a Minari dataset directory (data/minari.h).");
ABSL_FLAG(std::string, minari_dir, "",
          "--format=minari: the Minari root (default: $MINARI_DATASETS_PATH, else "
          "~/.minari/datasets).");
ABSL_FLAG(bool, list, false, "List the generatable tasks and exit.");
ABSL_FLAG(bool, evaluate_controller, false,
          "maze2d: score the waypoint controller in the env instead of making a dataset.");
ABSL_FLAG(int, episodes, 100, "--evaluate_controller: episodes; episode e resets with seed + e.");
ABSL_FLAG(bool, replan_each_episode, false,
          "--evaluate_controller: plan in every episode; default: only in the first, as D4RL's "
          "reference script did.");

namespace romi::datagen {
namespace {

// For antmaze: what the dataset holds (antmaze_generator.h), to compare with D4RL's files.
absl::Status PrintDatasetStats(const std::string& task, const data::D4rlFile& file) {
  if (!absl::StartsWith(task, "antmaze-")) return absl::OkStatus();
  ROMI_ASSIGN_OR_RETURN(const AntMazeDatasetStats stats, MeasureAntMazeDataset(task, file));
  std::printf(
      "%s: %lld rows, %lld episodes (mean length %.1f), %lld reach their goal (%.1f %%), "
      "%lld rewarded rows (%.2f %%), %lld of %lld free cells visited\n",
      task.c_str(), static_cast<long long>(stats.rows), static_cast<long long>(stats.episodes),
      stats.mean_episode_length, static_cast<long long>(stats.successful_episodes),
      100.0 * stats.successful_episodes / std::max<int64_t>(1, stats.episodes),
      static_cast<long long>(stats.rewarded_rows),
      100.0 * stats.rewarded_rows / std::max<int64_t>(1, stats.rows),
      static_cast<long long>(stats.visited_free_cells), static_cast<long long>(stats.free_cells));
  return absl::OkStatus();
}

absl::Status GenerateInto(const std::string& task, const std::string& out) {
  ROMI_ASSIGN_OR_RETURN(const GeneratorInfo generator, FindGenerator(task));
  const int64_t size = absl::GetFlag(FLAGS_size);
  GeneratorOptions options{size > 0 ? size : generator.d4rl_rows, absl::GetFlag(FLAGS_seed),
                           nullptr};
  const absl::Time start = absl::Now();
  absl::StatusOr<data::D4rlFile> file;
  {
    ProgressBar bar(task, options.rows);
    options.progress = [&bar](int64_t done) { bar.Update(done); };
    file = GenerateDataset(task, options);
  }
  ROMI_RETURN_IF_ERROR(file.status());
  const absl::Duration generated = absl::Now() - start;
  ROMI_RETURN_IF_ERROR(data::WriteD4rlFile(out, *file));
  std::printf("wrote %lld rows of %s (seed %llu) to %s: generated in %.1f s, written in %.1f s\n",
              static_cast<long long>(file->size()), task.c_str(),
              static_cast<unsigned long long>(options.seed), out.c_str(),
              absl::ToDoubleSeconds(generated),
              absl::ToDoubleSeconds(absl::Now() - start - generated));
  return PrintDatasetStats(task, *file);
}

// The dataset the cache holds for the flags (generated into it if missing).
absl::StatusOr<ResolvedDataset> CachedDataset(const std::string& task) {
  DatasetRequest request;
  request.task = task;
  request.rows = absl::GetFlag(FLAGS_size);
  request.seed = absl::GetFlag(FLAGS_seed);
  request.search_user_files = false;
  request.cache_dir = absl::GetFlag(FLAGS_cache_dir);
  return ResolveDataset(request);
}

absl::Status WriteMinari(const std::string& task) {
  ROMI_ASSIGN_OR_RETURN(const GeneratorInfo generator, FindGenerator(task));
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(task));
  ROMI_ASSIGN_OR_RETURN(const ResolvedDataset resolved, CachedDataset(task));
  data::MinariWriteOptions options;
  options.dataset_id = MinariIdForTask(task);
  options.algorithm_name = generator.recipe;
  options.description = absl::StrCat(
      "romi's dataset for ", task, " (recipe ", generator.recipe, ", seed ",
      absl::GetFlag(FLAGS_seed), ", ", resolved.file.size(),
      " rows), generated with native MuJoCo simulators and written in D4RL's semantics.");
  options.action_low = spec.action_low;
  options.action_high = spec.action_high;
  options.ref_min_score = spec.ref_min_score;
  options.ref_max_score = spec.ref_max_score;
  const std::string out = absl::GetFlag(FLAGS_out);
  const std::string dir =
      out.empty() ? data::MinariDataDir(data::MinariRoot(absl::GetFlag(FLAGS_minari_dir)),
                                        options.dataset_id)
                  : out;
  ROMI_RETURN_IF_ERROR(data::WriteMinariDataset(dir, resolved.file, options));
  std::printf("wrote %s (%lld rows of %s) as Minari dataset %s to %s\n",
              resolved.path.empty() ? "the generated dataset" : resolved.path.c_str(),
              static_cast<long long>(resolved.file.size()), task.c_str(),
              options.dataset_id.c_str(), dir.c_str());
  return absl::OkStatus();
}

void PrintStats(const char* name, const std::vector<double>& x) {
  const MeanStd stats = PopulationMeanStd(x);
  std::printf("%-17s mean %.2f  std %.2f\n", name, stats.mean, stats.std);
}

absl::Status EvaluateController(const std::string& task) {
  const int episodes = absl::GetFlag(FLAGS_episodes);
  if (episodes <= 0) return absl::InvalidArgumentError("--episodes must be positive");
  const bool replan = absl::GetFlag(FLAGS_replan_each_episode);
  ROMI_ASSIGN_OR_RETURN(
      const ControllerScore score,
      EvaluateWaypointController(task, episodes, absl::GetFlag(FLAGS_seed), replan));
  std::printf("%s: waypoint controller, %d episodes, %s\n", task.c_str(), episodes,
              replan ? "planning in every episode" : "planned once (D4RL's protocol)");
  PrintStats("return", score.returns);
  PrintStats("normalized score", score.normalized_scores);
  std::printf("ended within 0.5 of the goal: %d / %d\n", score.ended_at_goal, episodes);
  return absl::OkStatus();
}

absl::Status Run() {
  if (absl::GetFlag(FLAGS_list)) {
    std::printf("%s\n", absl::StrJoin(GeneratableTasks(), "\n").c_str());
    return absl::OkStatus();
  }
  const std::string task = absl::GetFlag(FLAGS_task);
  if (task.empty()) {
    return absl::InvalidArgumentError("--task is required; generatable tasks: " +
                                      absl::StrJoin(GeneratableTasks(), ", "));
  }
  if (absl::GetFlag(FLAGS_evaluate_controller)) return EvaluateController(task);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "minari") return WriteMinari(task);
  if (format != "d4rl") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format must be d4rl or minari, got '", format, "'"));
  }
  if (const std::string out = absl::GetFlag(FLAGS_out); !out.empty()) {
    return GenerateInto(task, out);
  }
  ROMI_ASSIGN_OR_RETURN(const ResolvedDataset resolved, CachedDataset(task));
  std::printf("%s\n", resolved.path.c_str());
  return PrintDatasetStats(task, resolved.file);
}

}  // namespace
}  // namespace romi::datagen

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::ParseCommandLine(argc, argv);
  if (const absl::Status status = romi::datagen::Run(); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
