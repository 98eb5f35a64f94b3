// Where and how wide learners run: the --device and --threads settings of the binaries.
//
//   ParseDevice("cpu" | "cuda" | "cuda:N")  a torch::Device; cuda is refused (FailedPrecondition)
//                                           when this LibTorch build or machine has no CUDA
//   SetIntraOpThreads(n)                    torch's intra-op thread count; n <= 0 means one per
//                                           core (the default)
//   KeepFreedMemory()                       makes malloc keep freed memory for reuse (see below);
//                                           every Learner calls it when created
//   MeasureMatmulPeakGflops(device, dtype)  this machine's matmul GFLOP/s, the yardstick of the
//                                           benches (//learners:bench, //romi:bench)
//   ProfileOps(trace_path, units, top, work)  where `work`'s time goes, op by op (the benches'
//                                           --profile)
//   Median(values)                          the benches' summary of repeated timings
#ifndef ROMI_LEARNERS_NN_RUNTIME_H_
#define ROMI_LEARNERS_NN_RUNTIME_H_

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace romi::learners {

absl::StatusOr<torch::Device> ParseDevice(const std::string& name);

// Returns the thread count now in effect.
int SetIntraOpThreads(int threads);

// A learner update allocates and frees the same large temporaries (activations, gradients) every
// step. By default glibc serves blocks above its mmap threshold with fresh mappings and trims the
// heap top back to the OS on free, so every step page-faults its working set in again (a quarter
// of the time of a small-network update, measured). This raises both thresholds so freed memory
// stays in the process and is reused: the CPU analogue of a caching allocator. Idempotent.
void KeepFreedMemory();

// GFLOP/s of torch::mm on two 2048 x 2048 matrices of `dtype` with the intra-op threads now in
// effect: the best of repeated products over about a second (after a warm-up call).
double MeasureMatmulPeakGflops(const torch::Device& device, torch::ScalarType dtype);

// Runs `work` twice under torch's op profiler and keeps the second pass (the first a process
// records pays the profiler's start-up inside its ops). Writes that pass as a Chrome trace to
// `trace_path` and returns a text table of its `top` ops by self time (an op's time minus the
// time of the ops it called, summed over threads), with calls and milliseconds divided by `units`
// (e.g. the updates `work` runs): where the time goes, op by op. Errors name the trace file.
absl::StatusOr<std::string> ProfileOps(const std::string& trace_path, int units, int top,
                                       const std::function<void()>& work);

// The median of `values` (not empty): the mean of the middle two when their count is even.
double Median(std::vector<double> values);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_RUNTIME_H_
