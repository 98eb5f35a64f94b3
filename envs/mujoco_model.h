// MuJoCo ownership and compilation helpers shared by every native simulator.
//
// - MjModelPtr / MjDataPtr own MuJoCo's C structs (mj_deleteModel / mj_deleteData).
// - CompileMjcf compiles an MJCF string in memory (MuJoCo's virtual file system) and turns
//   compiler errors into absl::Status carrying MuJoCo's message.
// - SharedModel compiles each task's model once per process, lazily and thread-safely, and hands
//   out the same read-only model to every env instance (one mjData per instance).
// - CheckNoWarnings reports any MuJoCo warning counter set in an mjData: a warning means the
//   simulation left the regime the datasets were recorded in (mujoco-py raised on warnings).
#ifndef ROMI_ENVS_MUJOCO_MODEL_H_
#define ROMI_ENVS_MUJOCO_MODEL_H_

#include <mujoco/mujoco.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romi::envs {

struct MjModelDeleter {
  void operator()(mjModel* m) const { mj_deleteModel(m); }
};
struct MjDataDeleter {
  void operator()(mjData* d) const { mj_deleteData(d); }
};
using MjModelPtr = std::unique_ptr<mjModel, MjModelDeleter>;
using MjDataPtr = std::unique_ptr<mjData, MjDataDeleter>;

// Compiles MJCF text; InvalidArgumentError with MuJoCo's message (line and attribute) on failure.
absl::StatusOr<MjModelPtr> CompileMjcf(absl::string_view mjcf);

// A fresh mjData for `model`; ResourceExhaustedError if MuJoCo cannot allocate it.
absl::StatusOr<MjDataPtr> MakeData(const mjModel& model);

// The model registered under `key`, built by `build` on the first call with that key (later calls
// return the cached model, or the cached error). Safe to call from many threads.
absl::StatusOr<std::shared_ptr<const mjModel>> SharedModel(
    absl::string_view key, const std::function<absl::StatusOr<MjModelPtr>()>& build);

// OkStatus if no warning counter in `data` is set, else InternalError naming the warnings.
absl::Status CheckNoWarnings(const mjData& data);

}  // namespace romi::envs

#endif  // ROMI_ENVS_MUJOCO_MODEL_H_
