#include "data/fingerprint.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"

namespace romi::data {
namespace {

constexpr uint64_t kOffset = 14695981039346656037ull;
constexpr uint64_t kPrime = 1099511628211ull;

// FNV-1a over 8-byte words (then the tail bytes): fast enough for 1e8 bytes in a blink.
uint64_t Mix(uint64_t hash, const unsigned char* bytes, size_t size) {
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    hash = (hash ^ word) * kPrime;
  }
  for (; i < size; ++i) hash = (hash ^ bytes[i]) * kPrime;
  return hash;
}

uint64_t MixTensor(uint64_t hash, const torch::Tensor& tensor) {
  if (!tensor.defined()) return Mix(hash, reinterpret_cast<const unsigned char*>("-"), 1);
  for (const int64_t size : tensor.sizes()) {
    hash = Mix(hash, reinterpret_cast<const unsigned char*>(&size), sizeof(size));
  }
  const torch::Tensor values = tensor.to(torch::kFloat32).contiguous();
  return Mix(hash, reinterpret_cast<const unsigned char*>(values.data_ptr<float>()),
             values.numel() * sizeof(float));
}

constexpr char kSourcePrefix[] = "# data: ";

}  // namespace

std::string FingerprintArrays(const D4rlFile& file) {
  uint64_t hash = kOffset;
  for (const torch::Tensor* tensor : {&file.observations, &file.actions, &file.rewards,
                                      &file.terminals, &file.timeouts, &file.next_observations}) {
    hash = MixTensor(hash, *tensor);
  }
  for (const auto& [name, tensor] : file.infos) {
    hash = Mix(hash, reinterpret_cast<const unsigned char*>(name.data()), name.size());
    hash = MixTensor(hash, tensor);
  }
  return absl::StrFormat("%016x", hash);
}

std::string FingerprintTransitions(const Transitions& table) {
  uint64_t hash = kOffset;
  for (const torch::Tensor* column : {&table.observations, &table.actions, &table.rewards,
                                      &table.next_observations, &table.terminals}) {
    hash = MixTensor(hash, *column);
  }
  return absl::StrFormat("rows %d %016x", table.size(), hash);
}

std::string FingerprintPath(const std::string& dir) {
  return (std::filesystem::path(dir) / kFingerprintFile).string();
}

DataFingerprint FingerprintOf(const Transitions& table, const std::string& source) {
  return {FingerprintTransitions(table), source};
}

absl::StatusOr<std::optional<DataFingerprint>> ReadFingerprint(const std::string& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  if (!file) return absl::DataLossError(absl::StrCat(path, ": cannot be read"));
  DataFingerprint recorded{"", "an unnamed source"};
  for (const absl::string_view line : absl::StrSplit(contents.str(), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, kSourcePrefix)) {
      recorded.source = std::string(line.substr(sizeof(kSourcePrefix) - 1));
    } else if (recorded.value.empty()) {
      recorded.value = std::string(line);
    }
  }
  if (!absl::StartsWith(recorded.value, "rows ")) {
    return absl::DataLossError(absl::StrCat(path, ": holds no data fingerprint"));
  }
  return recorded;
}

absl::Status WriteFingerprint(const DataFingerprint& data, const std::string& path) {
  return WriteStringAtomically(path,
                               absl::StrCat(kSourcePrefix, data.source, "\n", data.value, "\n"));
}

absl::Status CheckFingerprint(const DataFingerprint& asked, const std::string& path) {
  ROMI_ASSIGN_OR_RETURN(const std::optional<DataFingerprint> recorded, ReadFingerprint(path));
  if (!recorded.has_value() || recorded->value == asked.value) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": the outputs here were computed from other data (recorded: ", recorded->source, ", ",
      recorded->value, ") than asked for (", asked.source, ", ", asked.value,
      "); use another output directory, bring the recorded data back (--dataset_dir, "
      "--search_user_datasets), or remove these outputs to compute them again"));
}

absl::Status WriteOrCheckFingerprint(const DataFingerprint& asked, const std::string& path) {
  ROMI_RETURN_IF_ERROR(CheckFingerprint(asked, path));
  if (std::filesystem::exists(path)) return absl::OkStatus();
  return WriteFingerprint(asked, path);
}

}  // namespace romi::data
