// An exclusive advisory lock on a file (flock), held while the object lives and released by the
// kernel when the process dies, so a crashed holder never leaves a stale lock behind. Used to keep
// two processes (a second suite, a resubmitted job) from writing one run directory at once. The
// holder writes "<pid> on <host>" into the file, so a contender's error names it (on a cluster's
// shared filesystem the holder may be on another node).
#ifndef ROMI_BASE_FILE_LOCK_H_
#define ROMI_BASE_FILE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace romi {

class FileLock {
 public:
  // Takes the lock on `path` (created if missing) without waiting: FailedPreconditionError naming
  // the file when another process holds it, the system's error when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<FileLock>> TryAcquire(const std::string& path);

  // Takes the lock on `path`, waiting for as long as another process holds it: for work that one
  // process does and the others then reuse (a dataset generated once for many runs).
  static absl::StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path);

  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  static absl::StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& path, bool wait);
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace romi

#endif  // ROMI_BASE_FILE_LOCK_H_
