// Directories for tests: one per test case under the test's temporary directory, emptied first so
// that a rerun (or another test case) never sees an earlier run's files.
#ifndef ROMI_BASE_TEST_DIRS_H_
#define ROMI_BASE_TEST_DIRS_H_

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace romi {

// <test temporary directory>/<name>, removed with its contents, then created again unless
// `create` is false (for code that must create it itself).
inline std::string FreshTestDir(const std::string& name, bool create = true) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / name;
  std::filesystem::remove_all(dir);
  if (create) std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace romi

#endif  // ROMI_BASE_TEST_DIRS_H_
