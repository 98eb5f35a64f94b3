#include "learners/archive_io.h"

#include "absl/strings/str_cat.h"
#include "romi/base/atomic_file.h"

namespace romi::learners {

absl::Status SaveArchive(torch::serialize::OutputArchive& archive, const std::string& path) {
  return WriteFileAtomically(path, [&](const std::string& temporary) -> absl::Status {
    try {
      archive.save_to(temporary);
    } catch (const c10::Error& error) {
      return absl::PermissionDeniedError(
          absl::StrCat(temporary, ": ", error.what_without_backtrace()));
    }
    return absl::OkStatus();
  });
}

absl::Status LoadArchive(const std::string& path, torch::serialize::InputArchive& archive) {
  try {
    archive.load_from(path);
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a readable archive: ", error.what_without_backtrace()));
  }
  return absl::OkStatus();
}

}  // namespace romi::learners
