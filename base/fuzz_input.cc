#include "base/fuzz_input.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace romi::fuzz {
namespace {

namespace fs = std::filesystem;

// Removes the folder when the process exits normally (libFuzzer's -runs/-max_total_time end).
struct InputFolder {
  fs::path path;
  InputFolder() {
    const char* test_tmpdir = std::getenv("TEST_TMPDIR");
    const fs::path base =
        test_tmpdir != nullptr ? fs::path(test_tmpdir) : fs::temp_directory_path();
    path = base / ("romi-fuzz-" + std::to_string(::getpid()));
    std::error_code error;
    fs::create_directories(path, error);
    if (error) {
      std::fprintf(stderr, "fuzz_input: cannot create %s: %s\n", path.c_str(),
                   error.message().c_str());
      std::abort();
    }
  }
  ~InputFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

const std::string& InputDir() {
  static const InputFolder folder;  // its destructor runs at exit
  static const std::string path = folder.path.string();
  return path;
}

std::string WriteInputFile(const uint8_t* data, size_t size, const std::string& name) {
  const std::string path = InputDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (size > 0) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz_input: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace romi::fuzz
