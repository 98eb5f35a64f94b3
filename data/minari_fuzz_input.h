// The input format of minari_fuzzer: a metadata.json text and episode arrays written as a
// well-formed main_data.hdf5, so that the fuzzer explores our Minari reader (metadata parsing,
// spaces, episode structure, flattening) rather than libhdf5's parser.
//
//   2 bytes   the length L of metadata.json, little-endian
//   L bytes   metadata.json (any bytes: JSON or not)
//   the rest  arrays in d4rl_fuzz_input.h's format over MinariFuzzKeys()
#ifndef ROMI_DATA_MINARI_FUZZ_INPUT_H_
#define ROMI_DATA_MINARI_FUZZ_INPUT_H_

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace romi::data {

// episode_<0..2>/{observations[/<Dict key>|/_index_0], actions, rewards, terminations,
// truncations, infos/...}, a non-sequential episode, and keys no reader expects.
const std::vector<std::string>& MinariFuzzKeys();

// Writes the dataset that `data` describes into `dir` (metadata.json and main_data.hdf5). False
// only when the files cannot be created.
bool WriteMinariFuzzInput(const uint8_t* data, size_t size, const std::string& dir);

// A dataset in that format: the seeds. Flag arrays ("terminations", "truncations") are bools.
std::string EncodeMinariFuzzInput(const std::string& metadata,
                                  const std::map<std::string, torch::Tensor>& arrays);

}  // namespace romi::data

#endif  // ROMI_DATA_MINARI_FUZZ_INPUT_H_
