#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace romi {

absl::StatusOr<std::unique_ptr<FileLock>> FileLock::Lock(const std::string& path, bool wait) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open lock file ", path, ": ", std::strerror(errno)));
  }
  int locked;
  do {
    locked = flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB);
  } while (locked != 0 && errno == EINTR);
  if (locked != 0) {
    const int error = errno;
    // The holder wrote its pid into the file when it took the lock: name it, so that a user can
    // tell which process to wait for.
    char holder[32] = {};
    const ssize_t length = pread(fd, holder, sizeof(holder) - 1, 0);
    close(fd);
    if (error == EWOULDBLOCK) {
      const std::string pid = length > 0 ? std::string(holder, strcspn(holder, "\n")) : "";
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is held by another process",
                       pid.empty() ? "" : absl::StrCat(" (pid ", pid, ")")));
    }
    return absl::InternalError(absl::StrCat("cannot lock ", path, ": ", std::strerror(error)));
  }
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  const std::string holder = absl::StrCat(getpid(), host[0] ? " on " : "", host, "\n");
  const bool recorded = ftruncate(fd, 0) == 0 && pwrite(fd, holder.data(), holder.size(), 0) > 0;
  static_cast<void>(recorded);  // if not, a later contender's message lacks the pid: no harm
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

absl::StatusOr<std::unique_ptr<FileLock>> FileLock::TryAcquire(const std::string& path) {
  return Lock(path, /*wait=*/false);
}

absl::StatusOr<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  return Lock(path, /*wait=*/true);
}

FileLock::~FileLock() { close(fd_); }  // closing the descriptor releases the lock

}  // namespace romi
