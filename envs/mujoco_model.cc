#include "envs/mujoco_model.h"

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"

namespace romi::envs {
namespace {

constexpr char kVfsFileName[] = "model.xml";

// mjVFS is a ~2 MB struct of fixed arrays: heap-allocate it, and free its file buffers on exit.
struct VfsDeleter {
  void operator()(mjVFS* vfs) const {
    mj_deleteVFS(vfs);
    delete vfs;
  }
};

const char* WarningName(int warning) {
  switch (warning) {
    case mjWARN_INERTIA:
      return "near-singular inertia";
    case mjWARN_CONTACTFULL:
      return "contact list full";
    case mjWARN_CNSTRFULL:
      return "constraint list full";
    case mjWARN_VGEOMFULL:
      return "visual geom list full";
    case mjWARN_BADQPOS:
      return "bad number in qpos";
    case mjWARN_BADQVEL:
      return "bad number in qvel";
    case mjWARN_BADQACC:
      return "bad number in qacc";
    case mjWARN_BADCTRL:
      return "bad number in ctrl";
    default:
      return "unknown warning";
  }
}

}  // namespace

absl::StatusOr<MjModelPtr> CompileMjcf(absl::string_view mjcf) {
  std::unique_ptr<mjVFS, VfsDeleter> vfs(new mjVFS);
  mj_defaultVFS(vfs.get());
  if (mj_makeEmptyFileVFS(vfs.get(), kVfsFileName, static_cast<int>(mjcf.size())) != 0) {
    return absl::ResourceExhaustedError("cannot allocate MuJoCo's virtual file for the MJCF");
  }
  const int file = mj_findFileVFS(vfs.get(), kVfsFileName);
  std::memcpy(vfs->filedata[file], mjcf.data(), mjcf.size());

  char error[1024] = {0};
  mjModel* model = mj_loadXML(kVfsFileName, vfs.get(), error, sizeof(error));
  if (model == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat("MuJoCo could not compile MJCF: %s", error));
  }
  return MjModelPtr(model);
}

absl::StatusOr<MjDataPtr> MakeData(const mjModel& model) {
  mjData* data = mj_makeData(&model);
  if (data == nullptr) return absl::ResourceExhaustedError("mj_makeData failed");
  return MjDataPtr(data);
}

absl::StatusOr<std::shared_ptr<const mjModel>> SharedModel(
    absl::string_view key, const std::function<absl::StatusOr<MjModelPtr>()>& build) {
  using Cache = std::map<std::string, absl::StatusOr<std::shared_ptr<const mjModel>>, std::less<>>;
  static absl::Mutex* const mu = new absl::Mutex();
  static Cache* const cache = new Cache();
  // Held while compiling: compiles are rare (once per model) and this also serializes calls into
  // MuJoCo's XML compiler.
  absl::MutexLock lock(mu);
  auto it = cache->find(key);
  if (it == cache->end()) {
    absl::StatusOr<MjModelPtr> built = build();
    absl::StatusOr<std::shared_ptr<const mjModel>> entry =
        built.ok() ? absl::StatusOr<std::shared_ptr<const mjModel>>(
                         std::shared_ptr<const mjModel>(std::move(*built)))
                   : absl::StatusOr<std::shared_ptr<const mjModel>>(built.status());
    it = cache->emplace(std::string(key), std::move(entry)).first;
  }
  return it->second;
}

absl::Status CheckNoWarnings(const mjData& data) {
  std::vector<std::string> warnings;
  for (int i = 0; i < mjNWARNING; ++i) {
    if (data.warning[i].number > 0) {
      warnings.push_back(absl::StrFormat("%s (%d times, last info %d)", WarningName(i),
                                         data.warning[i].number, data.warning[i].lastinfo));
    }
  }
  if (warnings.empty()) return absl::OkStatus();
  return absl::InternalError(absl::StrFormat("MuJoCo warning: %s", absl::StrJoin(warnings, "; ")));
}

}  // namespace romi::envs
