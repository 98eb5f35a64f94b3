// Fuzz inputs as files: the readers under fuzzing (D4RL files, archives, text protos) take paths.
// For fuzz targets only (base/fuzz.bzl).
#ifndef ROMI_BASE_FUZZ_INPUT_H_
#define ROMI_BASE_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace romi::fuzz {

// The folder this process writes its inputs to: <$TEST_TMPDIR or the temp dir>/romi-fuzz-<pid>,
// created on first use and removed at exit.
const std::string& InputDir();

// Writes the `size` bytes at `data` to InputDir()/<name> (replacing it) and returns the path.
// Aborts when it cannot: that is a broken test machine, not an input to explore.
std::string WriteInputFile(const uint8_t* data, size_t size, const std::string& name);

}  // namespace romi::fuzz

#endif  // ROMI_BASE_FUZZ_INPUT_H_
