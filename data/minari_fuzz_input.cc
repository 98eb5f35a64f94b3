#include "data/minari_fuzz_input.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/d4rl_fuzz_input.h"

namespace romi::data {

const std::vector<std::string>& MinariFuzzKeys() {
  static const std::vector<std::string>* keys = [] {
    auto* keys = new std::vector<std::string>;
    for (int episode = 0; episode < 3; ++episode) {
      for (const char* key :
           {"observations", "observations/observation", "observations/desired_goal",
            "observations/_index_0", "actions", "rewards", "terminations", "truncations",
            "infos/qpos", "infos/nested/success"}) {
        keys->push_back(absl::StrCat("episode_", episode, "/", key));
      }
    }
    keys->push_back("episode_7/rewards");
    keys->push_back("episode_-1/rewards");
    keys->push_back("unrelated");
    return keys;
  }();
  return *keys;
}

bool WriteMinariFuzzInput(const uint8_t* data, size_t size, const std::string& dir) {
  const size_t length = size < 2 ? 0 : std::min<size_t>(data[0] | (data[1] << 8), size - 2);
  const size_t header = std::min<size_t>(size, 2);
  std::FILE* metadata = std::fopen((dir + "/metadata.json").c_str(), "wb");
  if (metadata == nullptr) return false;
  const bool written = std::fwrite(data + header, 1, length, metadata) == length;
  if (std::fclose(metadata) != 0 || !written) return false;
  return WriteFuzzArrays(data + header + length, size - header - length, dir + "/main_data.hdf5",
                         MinariFuzzKeys(), 48);
}

std::string EncodeMinariFuzzInput(const std::string& metadata,
                                  const std::map<std::string, torch::Tensor>& arrays) {
  const size_t length = std::min<size_t>(metadata.size(), 0xffff);
  std::string out;
  out += static_cast<char>(length & 0xff);
  out += static_cast<char>((length >> 8) & 0xff);
  out += metadata.substr(0, length);
  for (const auto& [key, tensor] : arrays) {
    const bool flags = absl::EndsWith(key, "terminations") || absl::EndsWith(key, "truncations");
    EncodeFuzzArray(out, MinariFuzzKeys(), key, tensor, flags);
  }
  return out;
}

}  // namespace romi::data
