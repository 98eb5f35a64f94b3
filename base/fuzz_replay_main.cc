// A main() for fuzz targets built without libFuzzer (the normal gcc build): feeds the empty input,
// then every file named on the command line or found under a folder named there (in name order),
// to LLVMFuzzerTestOneInput, as libFuzzer does with the files it is given. Each target's
// `<stem>_fuzzer_test` (base/fuzz.bzl) runs it over the target's seeds and the committed inputs of
// past crashes, so `bazel test //...` replays them without clang.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional, as in libFuzzer.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

// The files `arg` names: itself, or every regular file under it. False when it does not exist.
bool CollectInputs(const fs::path& arg, std::vector<fs::path>* inputs) {
  std::error_code error;
  if (fs::is_regular_file(arg, error)) {
    inputs->push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, error)) return false;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(arg, error)) {
    if (entry.is_regular_file(error)) inputs->push_back(entry.path());
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], &inputs)) {
      std::fprintf(stderr, "fuzz_replay: %s: no such file or folder\n", argv[i]);
      return 1;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "fuzz_replay: no inputs (pass seed files or folders)\n");
    return 1;
  }
  std::sort(inputs.begin(), inputs.end());
  LLVMFuzzerTestOneInput(nullptr, 0);
  for (const fs::path& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail()) {
      std::fprintf(stderr, "fuzz_replay: cannot read %s\n", input.c_str());
      return 1;
    }
    std::printf("fuzz_replay: %s (%zu bytes)\n", input.c_str(), bytes.size());
    std::fflush(stdout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("fuzz_replay: replayed %zu inputs and the empty one\n", inputs.size());
  return 0;
}
