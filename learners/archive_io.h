// Saving and loading LibTorch archives with absl::Status errors, written atomically.
#ifndef ROMI_LEARNERS_ARCHIVE_IO_H_
#define ROMI_LEARNERS_ARCHIVE_IO_H_

#include <string>

#include <torch/torch.h>

#include "absl/status/status.h"

namespace romi::learners {

// Writes `archive` to `path` atomically (temporary + rename).
absl::Status SaveArchive(torch::serialize::OutputArchive& archive, const std::string& path);
// Reads `path` into `archive`; DataLoss naming the file when it is missing or not an archive.
absl::Status LoadArchive(const std::string& path, torch::serialize::InputArchive& archive);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_ARCHIVE_IO_H_
