// Writing files atomically: readers see either the old file or the complete new one, never a torn
// write, even when the process dies mid-write. Datasets, checkpoints and reports all go through it.
#ifndef ROMI_BASE_ATOMIC_FILE_H_
#define ROMI_BASE_ATOMIC_FILE_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"

namespace romi {

// Calls `write(temporary_path)` to produce the file under a temporary name beside `path`, flushes
// it to disk and renames it onto `path`. If `write` (or the flush) fails, the temporary is removed
// and the status returned; `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<absl::Status(const std::string&)>& write);

// Atomically replaces `path` with `contents`. ResourceExhausted naming the file when the disk is
// full or a file-size limit is reached, PermissionDenied for other failures; `path` is untouched.
absl::Status WriteStringAtomically(const std::string& path, const std::string& contents);

// A failed system call on `path` (`what`: e.g. "cannot write") as a status naming the file and
// the system's reason: ResourceExhausted for a full disk or a file-size limit (the user can free
// space and resume), PermissionDenied otherwise.
absl::Status FileSystemError(const std::string& what, const std::string& path, int error);

// Removes the temporaries that writers killed before their rename left in `dir` (and below it
// with `recursive`): "<name>.tmp-<pid>" files, only those of `only_for` when it is not empty.
// Only for a caller holding the lock that every writer into `dir` holds (a run's run.lock, a
// dataset's generation lock): a live writer's temporary would go too. Returns how many it removed.
int RemoveStaleTemporaries(const std::string& dir, bool recursive,
                           const std::string& only_for = "");

// Writes all `size` bytes at `data` to `fd`, retrying short and interrupted writes: 0, or the
// errno of the failure (ENOSPC for a write that wrote nothing).
int WriteAll(int fd, const void* data, size_t size);

// Creates the directory `path` and its parents (nothing to do when it exists); PermissionDenied
// naming the directory when it cannot be created.
absl::Status CreateDirectories(const std::string& path);

}  // namespace romi

#endif  // ROMI_BASE_ATOMIC_FILE_H_
