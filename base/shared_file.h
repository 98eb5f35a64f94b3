// A file that several processes would each compute identically, because they compute it from the
// same inputs (the same data, settings and seed): made once, in a directory they share, and
// hard-linked into each of them (copied where the file system cannot link). ROMI's runs use it for
// pipeline stages that several methods repeat: romi-bcq, romi-cql, romi-rbc-bcq and the
// rollout-length variants of one task and seed train the very same reverse dynamics model.
//
// Layout of one entry, `<dir>/<kind>-<16 hex digits of a hash of the identity>/`:
//   identity.txt   the full identity; read back on every use, so that a hash collision is an error
//                  and never a wrong file
//   <kind><ext>    the file, once made (written atomically; <ext>: the target's extension)
//   lock           held while a process makes or links the file: the others wait for it
// `make` gets the entry's directory as its work directory: a maker that is killed midway leaves
// its checkpoints there, and the next process to take the lock resumes from them.
#ifndef ROMI_BASE_SHARED_FILE_H_
#define ROMI_BASE_SHARED_FILE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace romi {

struct SharedFile {
  std::string dir;       // the directory the processes share
  std::string kind;      // what the file is, e.g. "dynamics": names the entry and the file
  std::string identity;  // everything the file is computed from, as text
};

// How `target` was provided.
enum class SharedFileSource { kMadeNow, kReused };

// Makes `target` the shared file of `shared`: linked from its entry when an earlier process made
// it; otherwise `make(path, work_dir)` writes it to `path` in the entry first (with work files in
// `work_dir`), and then it is linked. Waits while another process holds the entry. Errors name the
// entry: FailedPrecondition when the entry holds another identity, the maker's own errors as they
// are, PermissionDenied/ResourceExhausted when a file cannot be written.
absl::StatusOr<SharedFileSource> ProvideSharedFile(
    const SharedFile& shared, const std::string& target,
    const std::function<absl::Status(const std::string& path, const std::string& work_dir)>& make);

// The entry directory of `shared` (what ProvideSharedFile fills).
std::string SharedFileEntry(const SharedFile& shared);

// A 64-bit FNV-1a hash of `text`: the same on every platform and build (std::hash is not).
uint64_t StableHash(const std::string& text);

}  // namespace romi

#endif  // ROMI_BASE_SHARED_FILE_H_
