// Writing files atomically: readers see either the old file or the complete new one, never a torn
// write, even when the process dies mid-write. Datasets, checkpoints and reports all go through it.
#ifndef ROMI_BASE_ATOMIC_FILE_H_
#define ROMI_BASE_ATOMIC_FILE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace romi {

// Calls `write(temporary_path)` to produce the file under a temporary name beside `path`, flushes
// it to disk and renames it onto `path`. If `write` fails, the temporary is removed and its status
// returned; `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::function<absl::Status(const std::string&)>& write);

// Atomically replaces `path` with `contents`.
absl::Status WriteStringAtomically(const std::string& path, const std::string& contents);

// Creates the directory `path` and its parents (nothing to do when it exists); PermissionDenied
// naming the directory when it cannot be created.
absl::Status CreateDirectories(const std::string& path);

}  // namespace romi

#endif  // ROMI_BASE_ATOMIC_FILE_H_
