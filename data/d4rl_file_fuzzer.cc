// Fuzzes the D4RL reader on well-formed HDF5 files of any content: the input describes arrays
// (data/d4rl_fuzz_input.h: keys, dtypes, shapes, storage, bytes), written with libhdf5, then read
// by ReadD4rlFile and built into a Dataset as Dataset::Load does, under three DatasetOptions. Any
// input must give a D4rlFile and Dataset or an absl::Status: no crash, hang or sanitizer report.
// Raw bytes through libhdf5's parser: hdf5_io_fuzzer. Seeds: testdata/d4rl_file_fuzzer/ (written
// by //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/fuzz_input.h"
#include "data/d4rl_file.h"
#include "data/d4rl_fuzz_input.h"
#include "data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::InputDir() + "/input.hdf5";
  if (!romi::data::WriteD4rlFuzzInput(data, size, path)) {
    std::fprintf(stderr, "d4rl_file_fuzzer: cannot write %s\n", path.c_str());
    std::abort();
  }
  const absl::StatusOr<romi::data::D4rlFile> file = romi::data::ReadD4rlFile(path);
  if (!file.ok()) return 0;
  // What Dataset::Load does after reading (its body is ReadD4rlFile + FromD4rlFile), with its
  // default options, with stored successors kept, and with episode ends found by step counting.
  romi::data::DatasetOptions options[3];
  options[1].set_keep_timeouts(true);
  options[2].set_max_episode_steps(3);
  for (const romi::data::DatasetOptions& option : options) {
    romi::data::Dataset::FromD4rlFile(*file, option, path).IgnoreError();
  }
  return 0;
}
