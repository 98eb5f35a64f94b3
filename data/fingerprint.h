// Fingerprints of data, so that changed data is detected instead of silently used:
// - of a D4RL file's arrays, stored in generated files (metadata/romi_fingerprint): a cached file
//   whose contents changed on disk (a flipped bit, a partial copy that still parses);
// - of a transition table, recorded in a run directory: a run resumed on other data than it was
//   started on (a user's D4RL file replacing generated data, another generator version), whose
//   model, buffer or learner would otherwise continue on rows it never saw.
#ifndef ROMI_DATA_FINGERPRINT_H_
#define ROMI_DATA_FINGERPRINT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/d4rl_file.h"
#include "data/transitions.h"

namespace romi::data {

// 16 hex digits: a 64-bit FNV-1a hash over the shapes and float32 bytes of observations, actions,
// rewards, terminals, timeouts, next_observations and infos/* (in key order); metadata excluded.
std::string FingerprintArrays(const D4rlFile& file);

// "rows N <16 hex digits>": the same hash over the shapes and float32 bytes of the table's five
// columns. The same on every host and thread count (one sequential pass); any changed value, row
// order or shape changes it.
std::string FingerprintTransitions(const Transitions& table);

// A table's fingerprint and where the table came from (a dataset's file, for messages only).
struct DataFingerprint {
  std::string value;  // FingerprintTransitions
  std::string source;
};
DataFingerprint FingerprintOf(const Transitions& table, const std::string& source);

// The name of the fingerprint file in a run directory (or another directory of outputs computed
// from one table).
inline constexpr char kFingerprintFile[] = "data.fingerprint";
// <dir>/data.fingerprint.
std::string FingerprintPath(const std::string& dir);

// The fingerprint recorded in `path`; nothing when the file does not exist; DataLoss naming the
// file when it cannot be read or holds none.
absl::StatusOr<std::optional<DataFingerprint>> ReadFingerprint(const std::string& path);

// Records `data` in `path` (atomically), replacing what it held.
absl::Status WriteFingerprint(const DataFingerprint& data, const std::string& path);

// OK when `path` does not exist or records the same fingerprint as `asked` (whatever the
// sources); FailedPrecondition naming the file, both sources and both fingerprints when it records
// another; DataLoss when it cannot be read.
absl::Status CheckFingerprint(const DataFingerprint& asked, const std::string& path);

// CheckFingerprint, then, when `path` does not exist, WriteFingerprint.
absl::Status WriteOrCheckFingerprint(const DataFingerprint& asked, const std::string& path);

}  // namespace romi::data

#endif  // ROMI_DATA_FINGERPRINT_H_
