// Saving and loading LibTorch archives with absl::Status errors, written atomically.
#ifndef ROMI_LEARNERS_NN_ARCHIVE_IO_H_
#define ROMI_LEARNERS_NN_ARCHIVE_IO_H_

#include <torch/torch.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "data/transitions.h"

namespace romi::learners {

// Writes `archive` to `path` atomically (temporary + rename).
absl::Status SaveArchive(torch::serialize::OutputArchive& archive, const std::string& path);
// Reads `path` into `archive`; DataLoss naming the file when it is missing or not an archive.
// Before LibTorch reads it, every pickle in it must pass CheckPickle and its source files may only
// declare entries.
absl::Status LoadArchive(const std::string& path, torch::serialize::InputArchive& archive);

// OK when `pickle` (record `record`, e.g. data.pkl, of the archive at `path`) can be walked opcode
// by opcode to its STOP with every length within the pickle and every memo index below its size;
// DataLoss naming the file, record and byte otherwise. LibTorch's unpickler trusts both: a memo
// index makes it reserve that many table entries (a 4-byte index: up to 64 GiB) and a length makes
// it allocate and zero-fill that many bytes, from an archive of a few KB.
absl::Status CheckPickle(absl::string_view pickle, const std::string& path,
                         const std::string& record);
// Reads entry `key` of `archive` (loaded from `path`) into `tensor`; DataLoss naming both when it
// is missing or is not a dense CPU tensor that lies within its storage (LibTorch 1.13 loads a
// corrupt size or offset unchecked, and reading that tensor would read out of bounds).
absl::Status ReadTensor(torch::serialize::InputArchive& archive, const std::string& key,
                        const std::string& path, torch::Tensor& tensor);
// The check ReadTensor makes, for a tensor a loader read by other means (an optimizer's state):
// DataLoss naming `where` unless it is a dense CPU tensor within its storage.
absl::Status CheckStoredTensor(const torch::Tensor& tensor, const std::string& where);

// The five columns of a transition table, each under its own name (observations, actions,
// rewards, next_observations, terminals): how the pipeline's tables and online SAC's replay
// buffer are stored. The tensors are written as given (slice and clone first to store a part).
void WriteTransitions(torch::serialize::OutputArchive& archive, const data::Transitions& table);
// Reads them back (ReadTensor); DataLoss naming `path` and the entry that is missing or breaks the
// layout of data/transitions.h (float32; [N, width] observations, actions and successors of one
// observation width; [N] rewards and terminals). The widths are the caller's to check.
absl::Status ReadTransitions(torch::serialize::InputArchive& archive, const std::string& path,
                             data::Transitions& table);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_ARCHIVE_IO_H_
