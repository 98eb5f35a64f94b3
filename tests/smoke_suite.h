// What the end-to-end tests share: a suite under the smoke budget (seconds per run) on generated
// data cached under the test's own directory, and reading a file whole.
#ifndef ROMI_TESTS_SMOKE_SUITE_H_
#define ROMI_TESTS_SMOKE_SUITE_H_

#include <filesystem>
#include <string>

#include "eval/suite_runner.h"

namespace romi::eval {

// maze2d-umaze-v1, every registered method, seed 0, budget smoke, the paper's scores; output in
// <root>/suite, generated datasets cached in <root>/cache (never a user's D4RL files).
SuiteOptions SmokeSuite(const std::filesystem::path& root);

// The file's contents ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

}  // namespace romi::eval

#endif  // ROMI_TESTS_SMOKE_SUITE_H_
