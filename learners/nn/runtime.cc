#include "learners/nn/runtime.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "torch/csrc/autograd/profiler_legacy.h"

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

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

absl::StatusOr<std::string> ProfileOps(const std::string& trace_path, int units, int top,
                                       const std::function<void()>& work) {
  namespace profiler = torch::autograd::profiler;
  using profiler::EventKind;
  using profiler::LegacyEvent;
  if (units < 1) return absl::InvalidArgumentError(absl::StrCat("units must be >= 1: ", units));
  profiler::thread_event_lists lists;
  for (int pass = 0; pass < 2; ++pass) {
    profiler::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    try {
      work();
    } catch (...) {
      profiler::disableProfilerLegacy();
      throw;
    }
    lists = profiler::disableProfilerLegacy();
  }

  std::vector<LegacyEvent*> events;
  for (std::vector<LegacyEvent>& list : lists) {
    for (LegacyEvent& event : list) events.push_back(&event);
  }
  {
    std::ofstream out(trace_path);
    if (out) profiler::writeProfilerEventsToStream(out, events);
    if (!out) return absl::InternalError(absl::StrCat("cannot write the trace ", trace_path));
  }

  // Ranges from matching push and pop events (by handle), per thread of the push.
  struct Range {
    const char* name;
    double start_us, end_us;
  };
  std::map<uint64_t, const LegacyEvent*> open_pushes;
  std::map<uint64_t, std::vector<Range>> ranges_by_thread;
  for (const LegacyEvent* event : events) {
    if (event->kind() == EventKind::PushRange) {
      open_pushes[event->handle()] = event;
    } else if (event->kind() == EventKind::PopRange) {
      const auto push = open_pushes.find(event->handle());
      if (push == open_pushes.end()) continue;
      ranges_by_thread[push->second->threadId()].push_back(
          {push->second->name(), push->second->cpuUs(), event->cpuUs()});
      open_pushes.erase(push);
    }
  }
  // Self time: walk each thread's ranges in start order with a stack of the enclosing ones.
  struct Totals {
    double self_us = 0;
    int64_t calls = 0;
  };
  std::map<std::string, Totals> ops;
  double total_us = 0;
  for (auto& [thread, ranges] : ranges_by_thread) {
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
      return a.start_us != b.start_us ? a.start_us < b.start_us : a.end_us > b.end_us;
    });
    std::vector<std::pair<const Range*, double>> stack;  // a range and its children's time
    auto close = [&](const Range* range, double children_us) {
      const double self_us = range->end_us - range->start_us - children_us;
      Totals& totals = ops[range->name];
      totals.self_us += self_us;
      totals.calls += 1;
      total_us += self_us;
    };
    for (const Range& range : ranges) {
      while (!stack.empty() && stack.back().first->end_us <= range.start_us) {
        close(stack.back().first, stack.back().second);
        stack.pop_back();
      }
      if (!stack.empty()) stack.back().second += range.end_us - range.start_us;
      stack.push_back({&range, 0.0});
    }
    for (; !stack.empty(); stack.pop_back()) close(stack.back().first, stack.back().second);
  }

  std::vector<std::pair<std::string, Totals>> sorted(ops.begin(), ops.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  std::string table =
      absl::StrFormat("%-48s %8s %10s %12s\n", "op (self time)", "share", "calls/unit", "ms/unit");
  for (int i = 0; i < top && i < static_cast<int>(sorted.size()); ++i) {
    const auto& [name, totals] = sorted[i];
    absl::StrAppendFormat(&table, "%-48s %7.1f%% %10.1f %12.3f\n", name.substr(0, 48),
                          total_us > 0 ? 100.0 * totals.self_us / total_us : 0.0,
                          static_cast<double>(totals.calls) / units,
                          totals.self_us / 1000.0 / units);
  }
  absl::StrAppendFormat(&table, "%-48s %8s %10s %12.3f\n", "all ops, summed over threads", "", "",
                        total_us / 1000.0 / units);
  return table;
}

}  // namespace romi::learners
