// TensorBoard event files: scalar curves of a run (`tensorboard --logdir <run dir>` shows them).
//
// The file is a sequence of TFRecords (uint64 length, masked CRC-32C of the length, the data,
// masked CRC-32C of the data; little-endian) whose data are Event messages
// (base/tensorboard_event.proto): a version record first, then one scalar per record.
//
// One file per directory, `events.out.tfevents.0.romi`, appended across resumes. A (tag, step)
// already in the file is not written again, so a run that resumes from a checkpoint and redoes
// the steps after it does not duplicate them; a record torn by a kill is cut off on Open.
#ifndef ROMI_BASE_EVENT_FILE_H_
#define ROMI_BASE_EVENT_FILE_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romi {

// CRC-32C (Castagnoli), and TFRecord's masking of it.
uint32_t Crc32c(absl::string_view data);
uint32_t MaskedCrc32c(absl::string_view data);

struct ScalarEvent {
  std::string tag;
  int64_t step = 0;
  float value = 0;
  double wall_time = 0;  // seconds since the epoch
};

class EventFile {
 public:
  // Opens (creating) the event file in `dir`, which must exist.
  static absl::StatusOr<EventFile> Open(const std::string& dir);

  // Appends one scalar unless (tag, step) is already in the file; flushed at once.
  absl::Status AddScalar(const std::string& tag, int64_t step, double value);

  const std::string& path() const { return path_; }

 private:
  explicit EventFile(std::string path) : path_(std::move(path)) {}
  absl::Status Append(const std::string& event_bytes);

  std::string path_;
  std::set<std::pair<std::string, int64_t>> written_;
};

// Every scalar of an event file, in file order, after checking every record's length and CRCs;
// DataLoss naming the file and offset for a bad record (`allow_torn_tail`: a cut-off last record
// ends the file instead). Also what the tests read back with.
absl::StatusOr<std::vector<ScalarEvent>> ReadEventFile(const std::string& path,
                                                       bool allow_torn_tail = false,
                                                       int64_t* valid_bytes = nullptr);

}  // namespace romi

#endif  // ROMI_BASE_EVENT_FILE_H_
