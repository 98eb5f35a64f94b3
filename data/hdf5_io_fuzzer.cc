// Fuzzes the HDF5 layer with raw bytes: bytes as a file, then Dataset::Load (Hdf5Reader under
// ReadD4rlFile, then the Dataset). It exercises libhdf5's own parser, which is not safe against
// corrupt files (1.10.8 overflows heap buffers in H5O_msg_read_oh and friends within seconds:
// tools/fuzz.sh runs this target only when named, and the smoke run leaves it out). Our code on
// top of well-formed files is d4rl_file_fuzzer's. Seeds: testdata/hdf5_io_fuzzer/ (written by
// //datagen:write_fuzz_seeds with WriteD4rlFile).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "input.hdf5");
  romi::data::DatasetOptions options;
  options.set_max_episode_steps(3);
  romi::data::Dataset::Load(path, options).IgnoreError();
  return 0;
}
