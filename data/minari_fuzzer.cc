// Fuzzes the Minari reader: the input is a metadata.json text and episode arrays written as a
// well-formed main_data.hdf5 (data/minari_fuzz_input.h), read by ReadMinariDataset with every key
// and with one Dict key selected, then built into a Dataset. Any input must give a D4rlFile or an
// absl::Status: no crash, hang or sanitizer report. Seeds: testdata/minari_fuzzer/ (written by
// //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/fuzz_input.h"
#include "data/dataset.h"
#include "data/minari.h"
#include "data/minari_fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& dir = romi::fuzz::InputDir();
  if (!romi::data::WriteMinariFuzzInput(data, size, dir)) {
    std::fprintf(stderr, "minari_fuzzer: cannot write into %s\n", dir.c_str());
    std::abort();
  }
  romi::data::MinariReadOptions options[2];
  options[1].observation_keys = {"observation"};
  for (const romi::data::MinariReadOptions& option : options) {
    const absl::StatusOr<romi::data::D4rlFile> file = romi::data::ReadMinariDataset(dir, option);
    if (!file.ok()) continue;
    romi::data::Dataset::FromD4rlFile(*file, romi::data::DatasetOptions(), dir).IgnoreError();
  }
  return 0;
}
