#include "base/shared_file.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/status_macros.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A link to `source` at `temporary`; a copy where the file system cannot link (another device).
absl::Status LinkOrCopy(const std::string& source, const std::string& temporary) {
  std::error_code error;
  fs::create_hard_link(source, temporary, error);
  if (!error) return absl::OkStatus();
  error.clear();
  fs::copy_file(source, temporary, fs::copy_options::overwrite_existing, error);
  if (error) return FileSystemError("cannot copy the shared file here", temporary, error.value());
  return absl::OkStatus();
}

}  // namespace

uint64_t StableHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string SharedFileEntry(const SharedFile& shared) {
  return (fs::path(shared.dir) /
          absl::StrFormat("%s-%016x", shared.kind, StableHash(shared.identity)))
      .string();
}

absl::StatusOr<SharedFileSource> ProvideSharedFile(
    const SharedFile& shared, const std::string& target,
    const std::function<absl::Status(const std::string& path, const std::string& work_dir)>& make) {
  const std::string entry = SharedFileEntry(shared);
  ROMI_RETURN_IF_ERROR(CreateDirectories(entry));
  // One process makes the file; the others wait here and then link what it made.
  ROMI_ASSIGN_OR_RETURN(const std::unique_ptr<FileLock> lock,
                        FileLock::Acquire((fs::path(entry) / "lock").string()));
  // Temporaries of a maker killed mid-write: no live writer is inside while the lock is held.
  RemoveStaleTemporaries(entry, /*recursive=*/false);

  const std::string identity_path = (fs::path(entry) / "identity.txt").string();
  if (fs::exists(identity_path)) {
    ROMI_ASSIGN_OR_RETURN(const std::string recorded, ReadWholeFile(identity_path));
    if (recorded != shared.identity) {
      return absl::FailedPreconditionError(absl::StrCat(
          entry, " holds a ", shared.kind,
          " made from other inputs (its identity.txt differs; two identities with one hash): "
          "remove that directory"));
    }
  } else {
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(identity_path, shared.identity));
  }

  // Named by its kind (with the target's extension), so that every consumer finds it.
  const std::string path =
      (fs::path(entry) / absl::StrCat(shared.kind, fs::path(target).extension().string())).string();
  SharedFileSource source = SharedFileSource::kReused;
  if (!fs::exists(path)) {
    ROMI_RETURN_IF_ERROR(make(path, entry));
    if (!fs::exists(path)) {
      return absl::InternalError(
          absl::StrCat("making the shared ", shared.kind, " succeeded but wrote no ", path));
    }
    source = SharedFileSource::kMadeNow;
  }
  ROMI_RETURN_IF_ERROR(WriteFileAtomically(
      target, [&path](const std::string& temporary) { return LinkOrCopy(path, temporary); }));
  return source;
}

}  // namespace romi
