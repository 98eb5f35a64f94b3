#include "base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"

namespace romi {
namespace {

// A temporary is "<final name>.tmp-<pid>": the pid keeps concurrent writers apart.
constexpr char kTemporaryMark[] = ".tmp-";

}  // namespace

absl::Status FileSystemError(const std::string& what, const std::string& path, int error) {
  const std::string message = absl::StrCat(path, ": ", what, ": ", std::strerror(error));
  if (error == ENOSPC || error == EFBIG || error == EDQUOT) {
    return absl::ResourceExhaustedError(message);
  }
  return absl::PermissionDeniedError(message);
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<absl::Status(const std::string&)>& write) {
  // The pid keeps concurrent writers (e.g. two suite workers) from sharing a temporary.
  const std::string temporary = absl::StrCat(path, kTemporaryMark, getpid());
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (absl::Status status = write(temporary); !status.ok()) {
    std::remove(temporary.c_str());
    return status;
  }
  // Flush the data before the rename makes it visible, so a power loss cannot expose an empty
  // file; some file systems report a full disk only here.
  const int fd = open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    const int sync_error = errno;
    if (fd >= 0) close(fd);
    std::remove(temporary.c_str());
    return FileSystemError("cannot flush the written file to disk", temporary, sync_error);
  }
  close(fd);
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot move the written file into place: ", error.message()));
  }
  return absl::OkStatus();
}

int RemoveStaleTemporaries(const std::string& dir, bool recursive, const std::string& only_for) {
  namespace fs = std::filesystem;
  std::vector<fs::path> stale;
  auto consider = [&](const fs::directory_entry& entry) {
    const std::string name = entry.path().filename().string();
    const size_t mark = name.rfind(kTemporaryMark);
    if (mark == std::string::npos || mark == 0 || !entry.is_regular_file()) return;
    if (!only_for.empty() && name.substr(0, mark) != only_for) return;
    stale.push_back(entry.path());
  };
  std::error_code error;
  if (recursive) {
    for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
         it.increment(error)) {
      consider(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
      consider(*it);
    }
  }
  int removed = 0;
  for (const fs::path& path : stale) removed += fs::remove(path, error) ? 1 : 0;
  return removed;
}

int WriteAll(int fd, const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : ENOSPC;
    done += static_cast<size_t>(n);
  }
  return 0;
}

absl::Status WriteStringAtomically(const std::string& path, const std::string& contents) {
  return WriteFileAtomically(path, [&](const std::string& temporary) {
    // POSIX calls rather than a stream: errno tells a full disk from a forbidden directory.
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return FileSystemError("cannot create", temporary, errno);
    if (const int write_error = WriteAll(fd, contents.data(), contents.size()); write_error != 0) {
      close(fd);
      return FileSystemError("cannot write", temporary, write_error);
    }
    if (close(fd) != 0) return FileSystemError("cannot write", temporary, errno);
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
