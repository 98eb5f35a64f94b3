#include "data/fingerprint.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_format.h"

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

}  // namespace romi::data
