// The D4RL dataset file: its arrays in memory, and reading/writing them in D4RL's HDF5 layout.
//
// Layout (as d4rl and h5py write it):
//   observations      [N, obs_dim]  float32 (some files float64)
//   actions           [N, act_dim]  float32
//   rewards           [N]           float32 (or [N, 1])
//   terminals         [N]           bool (or uint8 / float 0-1)
//   timeouts          [N]           bool        optional: old files lack it
//   next_observations [N, obs_dim]  float32     optional: gym-mujoco v2 files have it
//   infos/<name>      [N, ...]      e.g. infos/qpos, infos/qvel, infos/goal, infos/action_log_probs
//   metadata/<name>                 numbers (e.g. policy weights) or strings (e.g. algorithm)
//
// Reading converts every array to float32 and validates it; a bad file yields an absl::Status that
// names the file, the key and the shape at fault. Writing is atomic (a temporary file renamed into
// place), so a crash never leaves a half-written file under the final name.
#ifndef ROMI_DATA_D4RL_FILE_H_
#define ROMI_DATA_D4RL_FILE_H_

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romi::data {

struct D4rlFile {
  torch::Tensor observations;       // [N, obs_dim] float32
  torch::Tensor actions;            // [N, act_dim] float32
  torch::Tensor rewards;            // [N] float32
  torch::Tensor terminals;          // [N] float32, 0 or 1
  torch::Tensor timeouts;           // [N] float32, 0 or 1; undefined when the file has none
  torch::Tensor next_observations;  // [N, obs_dim] float32; undefined when the file has none
  std::map<std::string, torch::Tensor> infos;     // key without the "infos/" prefix
  std::map<std::string, torch::Tensor> metadata;  // numeric metadata, key without "metadata/"
  std::map<std::string, std::string> metadata_strings;

  int64_t size() const { return observations.defined() ? observations.size(0) : 0; }
};

// Checks ranks, lengths, finiteness and 0/1 flags. `source` (a file name) prefixes every message.
absl::Status ValidateD4rlFile(const D4rlFile& file, const std::string& source);

// Reads and validates a D4RL-layout file.
absl::StatusOr<D4rlFile> ReadD4rlFile(const std::string& path);

// Validates `file`, then writes it atomically to `path` in D4RL's layout: float32 arrays, bool
// flags (timeouts written as all-false when undefined, as d4rl's own files always carry the key).
absl::Status WriteD4rlFile(const std::string& path, const D4rlFile& file);

}  // namespace romi::data

#endif  // ROMI_DATA_D4RL_FILE_H_
