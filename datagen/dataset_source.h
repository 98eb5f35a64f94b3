// Where a task's dataset comes from, without a network. ResolveDataset tries, in order:
//
//  1. a user's dataset:
//     a. a D4RL file `path`, or the Minari dataset `minari_id` (e.g. "mujoco/hopper/medium-v0")
//        in the Minari root (data/minari.h: `minari_dir`, else $MINARI_DATASETS_PATH, else
//        ~/.minari/datasets), if given: it must exist and read cleanly;
//     b. else "<task>.hdf5" (D4RL's own file names, e.g. maze2d-umaze-v1.hdf5) in `dataset_dir` if
//        given, else in $ROMI_DATASET_DIR and then ~/.romi/datasets;
//     c. else the Minari dataset MinariIdForTask(task) (e.g. "romi/maze2d/umaze-v1", what
//        `make_dataset --format=minari` writes) in the Minari root. Datasets of other Minari
//        namespaces are never substituted for a task unasked: they were collected on other
//        simulators (docs/ARCHITECTURE.md, "Minari");
//  2. a generated file in the cache: "<cache_dir>/<task>-seed<seed>-rows<rows>.hdf5", where
//     cache_dir is `cache_dir` if given, else $ROMI_DATASET_CACHE, else
//     $XDG_CACHE_HOME/romi/datasets, else ~/.cache/romi/datasets. It is used only if it reads and
//     validates and its metadata (task, recipe version, seed, rows, array fingerprint) match;
//     otherwise it is reported on stderr and regenerated, never silently used;
//  3. generation (dataset_generators.h), with a progress bar on stderr, written atomically into
//     the cache (if the cache cannot be written, the data is still returned and the description
//     says so).
//
// Typical use (an evaluation suite's quick default):
//   DatasetRequest request;
//   request.task = "maze2d-umaze-v1";
//   request.rows = 100000;
//   ROMI_ASSIGN_OR_RETURN(ResolvedDataset data, ResolveDataset(request));
//   ROMI_ASSIGN_OR_RETURN(Dataset dataset,
//                         Dataset::FromD4rlFile(data.file, options, data.description));
//
// `rows` (0: D4RL's full size) makes small datasets for tests and quick evaluations; generated
// data is a prefix of the full-size data with the same seed, and a user file is cut to its first
// `rows` rows. Generation is deterministic in the seed.
#ifndef ROMI_DATAGEN_DATASET_SOURCE_H_
#define ROMI_DATAGEN_DATASET_SOURCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/d4rl_file.h"

namespace romi::datagen {

struct DatasetRequest {
  std::string task;         // D4RL name, e.g. "maze2d-umaze-v1"
  int64_t rows = 0;         // 0: the full D4RL size
  uint64_t seed = 0;        // generation seed (ignored for user files)
  std::string path;         // an explicit D4RL file
  std::string dataset_dir;  // a directory of D4RL files (replaces the default search dirs)
  std::string minari_dir;   // the Minari root (default: data/minari.h's MinariRoot)
  std::string minari_id;    // an explicit Minari dataset for the task
  // Minari Dict observations: the top-level keys to keep, in order (empty: all, sorted).
  std::vector<std::string> minari_observation_keys;
  bool search_user_files = true;  // false: only the cache or generation
  std::string cache_dir;
  bool log_to_stderr = true;  // progress bar and the one-line report of the source used
};

enum class DatasetOrigin { kUserFile, kCache, kGenerated };

absl::string_view DatasetOriginName(DatasetOrigin origin);  // "user file", "cache", "generated"

struct ResolvedDataset {
  data::D4rlFile file;
  DatasetOrigin origin = DatasetOrigin::kGenerated;
  std::string path;         // the file read or written; empty if generated but not cached
  std::string description;  // one line for logs: what was used and why
};

// NotFoundError when nothing provides the task (no user file, no generator), listing the
// directories searched and the generatable tasks; the reader's error for a bad user file.
absl::StatusOr<ResolvedDataset> ResolveDataset(const DatasetRequest& request);

// Our Minari id of a task: "romi/<domain>/<rest of the task name>", e.g. maze2d-umaze-v1 ->
// romi/maze2d/umaze-v1, hopper-medium-replay-v2 -> romi/hopper/medium-replay-v2.
std::string MinariIdForTask(absl::string_view task);

// The directories searched for user files, in order.
std::vector<std::string> UserDatasetDirs(const DatasetRequest& request);
// The cache directory and the cache file a request maps to.
std::string DatasetCacheDir(const DatasetRequest& request);
absl::StatusOr<std::string> CachedDatasetPath(const DatasetRequest& request);

}  // namespace romi::datagen

#endif  // ROMI_DATAGEN_DATASET_SOURCE_H_
