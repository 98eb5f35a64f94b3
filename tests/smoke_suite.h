// What the end-to-end tests share: a suite under the smoke budget (seconds per run) on generated
// data cached under the test's own directory, and reading a file whole.
#ifndef ROMI_TESTS_SMOKE_SUITE_H_
#define ROMI_TESTS_SMOKE_SUITE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "eval/suite.pb.h"
#include "eval/suite_runner.h"
#include "torch/torch.h"

namespace romi::eval {

// maze2d-umaze-v1, every registered method, seed 0, budget smoke, the paper's scores; output in
// <root>/suite, generated datasets cached in <root>/cache (never a user's D4RL files).
SuiteOptions SmokeSuite(const std::filesystem::path& root);

// The file's contents ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// Everything a run's result says about learning, as text (not where or how long it ran).
std::string Learned(RunResult run);

// Every tensor of a checkpoint but the optimizer's (networks, targets, generators), by path.
// Compared by value: the archive's bytes also hold module names that count earlier saves in the
// process, so they differ between a process that saved other runs before and a fresh one.
std::map<std::string, torch::Tensor> CheckpointTensors(const std::filesystem::path& path);

// "" when the two checkpoints hold the same tensors (CheckpointTensors) bit for bit; otherwise
// what differs first.
std::string CheckpointDifference(const std::filesystem::path& a, const std::filesystem::path& b);

// The scalars of a run directory's TensorBoard event file by tag and step, every record's CRCs
// checked. `problem` gets what is wrong ("" if nothing): a bad record, a (tag, step) written twice.
using Scalars = std::map<std::string, std::map<int64_t, float>>;
Scalars EventScalars(const std::filesystem::path& run_dir, std::string* problem);

}  // namespace romi::eval

#endif  // ROMI_TESTS_SMOKE_SUITE_H_
