#include "base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace romi {

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<absl::Status(const std::string&)>& write) {
  // The pid keeps concurrent writers (e.g. two suite workers) from sharing a temporary.
  const std::string temporary = absl::StrCat(path, ".tmp-", getpid());
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (absl::Status status = write(temporary); !status.ok()) {
    std::remove(temporary.c_str());
    return status;
  }
  // Flush the data before the rename makes it visible, so a power loss cannot expose an empty file.
  const int fd = open(temporary.c_str(), O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot move the written file into place: ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status WriteStringAtomically(const std::string& path, const std::string& contents) {
  return WriteFileAtomically(path, [&](const std::string& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) return absl::PermissionDeniedError(absl::StrCat(temporary, ": cannot write"));
    return absl::OkStatus();
  });
}

absl::Status CreateDirectories(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create directory ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace romi
