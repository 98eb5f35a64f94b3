#include "learners/nn/archive_io.h"

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"

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

void WriteTransitions(torch::serialize::OutputArchive& archive, const data::Transitions& table) {
  archive.write("observations", table.observations);
  archive.write("actions", table.actions);
  archive.write("rewards", table.rewards);
  archive.write("next_observations", table.next_observations);
  archive.write("terminals", table.terminals);
}

absl::Status ReadTransitions(torch::serialize::InputArchive& archive, const std::string& path,
                             data::Transitions& table) {
  try {
    archive.read("observations", table.observations);
    archive.read("actions", table.actions);
    archive.read("rewards", table.rewards);
    archive.read("next_observations", table.next_observations);
    archive.read("terminals", table.terminals);
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": missing entry: ", error.what_without_backtrace()));
  }
  return absl::OkStatus();
}

}  // namespace romi::learners
