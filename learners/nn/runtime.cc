#include "learners/nn/runtime.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"

namespace romi::learners {

absl::StatusOr<torch::Device> ParseDevice(const std::string& name) {
  torch::Device device = torch::kCPU;
  try {
    device = torch::Device(name);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown device '", name, "' (valid: cpu, cuda, cuda:N)"));
  }
  if (device.is_cuda() && !torch::cuda::is_available()) {
    return absl::FailedPreconditionError(
        absl::StrCat("device '", name, "' requested but CUDA is not available here"));
  }
  if (!device.is_cpu() && !device.is_cuda()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported device '", name, "' (valid: cpu, cuda, cuda:N)"));
  }
  return device;
}

int SetIntraOpThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  return torch::get_num_threads();
}

void KeepFreedMemory() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and up to 1 GiB
    // of free heap top is kept.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
}

double MeasureMatmulPeakGflops(const torch::Device& device, torch::ScalarType dtype) {
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const auto synchronize = [&] {
    if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
  };
  constexpr int64_t n = 2048;
  const torch::Tensor a = torch::randn({n, n}, torch::device(device)).to(dtype);
  const torch::Tensor b = torch::randn({n, n}, torch::device(device)).to(dtype);
  torch::Tensor c = torch::mm(a, b);  // warm-up: thread pool, BLAS buffers
  synchronize();
  double best = 0;
  const Clock::time_point begin = Clock::now();
  for (int i = 0; i < 3 || seconds_since(begin) < 1.0; ++i) {
    const Clock::time_point start = Clock::now();
    torch::mm_out(c, a, b);
    synchronize();
    best = std::max(best, 2.0 * n * n * n / seconds_since(start) / 1e9);
  }
  return best;
}

}  // namespace romi::learners
