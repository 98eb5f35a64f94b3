// Minari (Farama) datasets, the successor of D4RL's files, in and out of our D4rlFile.
//
// A Minari dataset is a directory `<root>/<dataset id>/data/` (ids like "D4RL/pointmaze/umaze-v2"
// or "mujoco/hopper/medium-v0" are nested paths) holding metadata.json and main_data.hdf5:
//   episode_<i>/              i = 0, 1, ... (attributes id, total_steps, optional seed)
//     observations            [T + 1, ...]  the reset observation, then one after each action;
//                                           a Dict space is a group with one entry per key, a
//                                           Tuple space a group of _index_0, _index_1, ...
//     actions                 [T, act_dim]
//     rewards                 [T]
//     terminations            [T]  bool
//     truncations             [T]  bool
//     infos/<key>             optional; Minari's collector records T + 1 rows (the reset's too)
// metadata.json carries the spaces as JSON strings (Python's json, so bounds may be Infinity),
// the counts, data_format and minari_version. Verified against Minari 0.5.3's hdf5_storage.py,
// minari_storage.py, serialization.py and minari_dataset.py.
//
// Reading gives D4RL's row layout with the episode structure kept exactly:
//   observations[t] and actions/rewards[t] for each step, episodes one after another;
//   next_observations[t] = the episode's observations[t + 1] (never the next episode's);
//   terminals = terminations, timeouts = truncations; an episode other than the last that ends
//   with neither flag (Minari's collector truncates those itself) is read as truncated;
//   infos/<key> = the first T rows of each episode's info (nested keys joined with '/').
// Dict and Tuple observations are flattened leaf by leaf: Dict keys in sorted order (the order
// of gymnasium's Dict and of h5py's listing), Tuple entries by index, each leaf's values in
// row-major order; `observation_keys` keeps only some top-level Dict keys, in the order given.
// With d4rl's qlearning semantics (data/dataset.h) the result trains like a D4RL file; with
// keep_timeouts the true final observation of every truncated episode is used.
//
// Writing is the inverse for a D4rlFile: episodes end at rows with terminals or timeouts set (the
// last episode also at the file's end); the final observation of an episode is its last row's
// next_observations where the file has them, else the row after it (one continuing stream, as
// maze2d's files are: the last row then only provides the final observation). The directory is
// replaced atomically, so a reader never sees a half-written dataset.
#ifndef ROMI_DATA_MINARI_H_
#define ROMI_DATA_MINARI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/d4rl_file.h"

namespace romi::data {

// The Minari versions whose layout the reader knows (Minari 0.5.3's supported_dataset_versions).
const std::vector<std::string>& SupportedMinariVersions();

// The dataset root: `minari_dir` if not empty, else $MINARI_DATASETS_PATH, else
// ~/.minari/datasets (Minari's own rule).
std::string MinariRoot(const std::string& minari_dir);

// `<root>/<dataset_id>/data`, the directory the reader and writer take.
std::string MinariDataDir(const std::string& root, const std::string& dataset_id);

struct MinariReadOptions {
  // Dict observations: the top-level keys to keep, in this order (e.g. {"observation"} for
  // pointmaze's 4 state numbers); empty: every key, sorted.
  std::vector<std::string> observation_keys;
};

// Reads `data_dir` (holding metadata.json and main_data.hdf5). Errors name the file, the episode
// and the key: a missing file or group, a ragged episode (lengths that disagree), observations not
// T + 1 rows, an unsupported space or data format, counts that disagree with metadata.json.
absl::StatusOr<D4rlFile> ReadMinariDataset(const std::string& data_dir,
                                           const MinariReadOptions& options = {});

struct MinariWriteOptions {
  std::string dataset_id;  // e.g. "romi/maze2d/umaze-v1"; required
  std::string algorithm_name;
  std::string description;
  // The action space's bounds (one per action dimension); empty: [-1, 1].
  std::vector<double> action_low;
  std::vector<double> action_high;
  // D4RL's reference returns, written as Minari's ref_min_score / ref_max_score when they differ.
  double ref_min_score = 0.0;
  double ref_max_score = 0.0;
};

// Validates `file` and writes it to `data_dir` (replacing a dataset already there) as Minari's
// hdf5 back-end lays it out, with metadata.json.
absl::Status WriteMinariDataset(const std::string& data_dir, const D4rlFile& file,
                                const MinariWriteOptions& options);

}  // namespace romi::data

#endif  // ROMI_DATA_MINARI_H_
