// Learner throughput at the paper's settings: updates per second of BC, BCQ and CQL, and the
// GFLOP/s they achieve next to this machine's measured fp32 matmul peak.
//
//   bazel run //learners:bench -- [--threads=0] [--device=cpu] [--seconds=10] [--rounds=3]
//       [--learners=bc,bcq,cql] [--precision=fp32,bf16,bf16-policy|both] [--profile=/tmp/trace]
//
// Settings (learners.proto defaults): BCQ batch 100, actor and critics 400-300, VAE 750-750, 10
// target samples; CQL batch 256, 3 x 256 policy and critics, 10 sampled actions per proposal with
// importance sampling, timed after its behaviour-cloning warm start; BC batch 256, 256-256.
// Dimensions default to hopper's (obs 11, act 3). Batches are random rows drawn from a fixed
// random pool, so data movement is that of a real run. The peak is torch::mm on two 2048 x 2048
// matrices with the same intra-op threads (best of several calls). FLOPs per update are analytic
// (learners/update_flops.h: linear layers only, forward + backward). --precision lists the
// precisions to time each learner in ("both": fp32,bf16); with bf16 or bf16-policy
// (learners/nn/precision.h) the bf16 matmul peak is measured too. This host class is shared and
// its speed drifts, so the bench runs --rounds interleaved rounds (peaks, then every learner and
// precision once) and prints medians with their range; "% fp32 peak" and "% own peak" (fp32 or
// bf16; none for bf16-policy, which mixes both) set each rate against its own round's peaks.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/blas_tuning.h"
#include "learners/learner.h"
#include "learners/learner_registry.h"
#include "learners/nn/runtime.h"
#include "learners/precision_name.h"
#include "learners/update_flops.h"

ABSL_FLAG(int, threads, 0, "Intra-op threads (0: one per core).");
ABSL_FLAG(std::string, device, "cpu", "cpu, cuda or cuda:N.");
ABSL_FLAG(double, seconds, 10,
          "Timed seconds per learner and precision in each round (after a short warm-up).");
ABSL_FLAG(int, rounds, 3,
          "Interleaved rounds: each times every learner and precision once, after measuring the "
          "matmul peaks; rows show the median over rounds and the range.");
ABSL_FLAG(std::string, learners, "bc,bcq,cql", "Comma-separated registered learner names.");
ABSL_FLAG(std::string, precision, "fp32",
          "Comma-separated matmul precisions of the learners: fp32, bf16, bf16-policy; both: "
          "fp32,bf16 (learners/nn/precision.h).");
ABSL_FLAG(int64_t, obs_dim, 11, "Observation width.");
ABSL_FLAG(int64_t, act_dim, 3, "Action width.");
ABSL_FLAG(int64_t, batch, 0, "Batch size (0: each learner's batch in the paper).");
ABSL_FLAG(int, shards, 0,
          "Shards each batch is split into, one core each (learners/data_parallel.h); 0: one per "
          "thread.");
ABSL_FLAG(std::string, profile, "",
          "If set, profiles 10 updates of each learner and precision in the first round: prints "
          "where their time goes, op by op, and writes the Chrome trace to "
          "<profile>.<learner>.<PRECISION>.json.");

namespace romi::learners {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
}

// The batch size each learner is run with in the paper.
int64_t PaperBatch(const std::string& algorithm) { return algorithm == "bcq" ? 100 : 256; }

int64_t BatchFor(const std::string& algorithm) {
  const int64_t flag = absl::GetFlag(FLAGS_batch);
  return flag > 0 ? flag : PaperBatch(algorithm);
}

LearnerConfig PaperConfig(const std::string& algorithm, Precision precision) {
  LearnerConfig config;
  config.set_algorithm(algorithm);
  config.set_precision(precision);
  config.set_parallel_shards(absl::GetFlag(FLAGS_shards));
  // Time CQL's steady state: its policy loss through the critics, not the warm start's.
  if (algorithm == "cql") config.mutable_cql()->set_bc_warm_start_steps(0);
  return config;
}

struct Result {
  double updates_per_second = 0;
  double gflops = 0;
};

absl::StatusOr<Result> Bench(const std::string& algorithm, Precision precision,
                             const torch::Device& device, double seconds, bool may_profile) {
  LearnerOptions options;
  options.obs_dim = absl::GetFlag(FLAGS_obs_dim);
  options.act_dim = absl::GetFlag(FLAGS_act_dim);
  options.config = PaperConfig(algorithm, precision);
  options.device = device;
  absl::StatusOr<double> flops = UpdateFlops(options, BatchFor(algorithm));
  if (!flops.ok()) return flops.status();
  absl::StatusOr<std::unique_ptr<Learner>> learner = LearnerRegistry::Create(options);
  if (!learner.ok()) return learner.status();

  // A pool of random transitions on the device; each update gathers a random batch from it.
  constexpr int64_t kPool = 100000;
  const int64_t batch = BatchFor(algorithm);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto on_device = torch::device(device);
  const data::Batch pool = {
      torch::randn({kPool, options.obs_dim}, generator).to(device),
      (torch::rand({kPool, options.act_dim}, generator) * 2 - 1).to(device),
      torch::randn({kPool}, generator).to(device),
      torch::randn({kPool, options.obs_dim}, generator).to(device),
      (torch::rand({kPool}, generator) < 0.01).to(on_device.dtype(torch::kFloat))};
  auto update = [&] {
    const torch::Tensor index = torch::randint(kPool, {batch}, generator, torch::kInt64).to(device);
    (*learner)->Update(pool.Select(index));
  };
  for (int i = 0; i < 5; ++i) update();
  Synchronize(device);
  int64_t updates = 0;
  const Clock::time_point start = Clock::now();
  while (Seconds(start) < seconds) {
    update();
    ++updates;
  }
  Synchronize(device);
  const double elapsed = Seconds(start);
  if (const std::string profile = absl::GetFlag(FLAGS_profile); may_profile && !profile.empty()) {
    const std::string path =
        absl::StrCat(profile, ".", algorithm, ".", Precision_Name(precision), ".json");
    constexpr int kProfiledUpdates = 10;
    absl::StatusOr<std::string> table = ProfileOps(path, kProfiledUpdates, 15, [&] {
      for (int i = 0; i < kProfiledUpdates; ++i) update();
    });
    if (!table.ok()) return table.status();
    std::printf("op profile of %s %s, per update (trace: %s):\n%s\n", algorithm.c_str(),
                PrecisionFlagName(precision).c_str(), path.c_str(), table->c_str());
  }
  Result result;
  result.updates_per_second = updates / elapsed;
  result.gflops = result.updates_per_second * *flops / 1e9;
  return result;
}

// "median [min-max]" of `values`, or the one value alone.
std::string MedianAndRange(const std::vector<double>& values, const char* format) {
  std::string text = absl::StrFormat(format, Median(values));
  if (values.size() > 1) {
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    absl::StrAppend(&text, " [", absl::StrFormat(format, *low), "-", absl::StrFormat(format, *high),
                    "]");
  }
  return text;
}

int Run() {
  absl::StatusOr<torch::Device> device = ParseDevice(absl::GetFlag(FLAGS_device));
  if (!device.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(device.status().message()).c_str());
    return 1;
  }
  std::vector<Precision> precisions;
  const std::string precision_flag = absl::GetFlag(FLAGS_precision);
  for (const absl::string_view name : absl::StrSplit(
           precision_flag == "both" ? "fp32,bf16" : precision_flag, ',', absl::SkipEmpty())) {
    const absl::StatusOr<Precision> precision = ParsePrecision(std::string(name));
    if (!precision.ok()) {
      std::fprintf(stderr, "error: --precision: %s\n",
                   std::string(precision.status().message()).c_str());
      return 1;
    }
    precisions.push_back(*precision);
  }
  if (precisions.empty()) {
    std::fprintf(stderr, "error: --precision names no precision\n");
    return 1;
  }
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (rounds < 1) {
    std::fprintf(stderr, "error: --rounds must be at least 1, not %d\n", rounds);
    return 1;
  }
  const bool any_bf16 = std::any_of(precisions.begin(), precisions.end(),
                                    [](Precision precision) { return precision != FP32; });
  const std::vector<std::string> algorithms =
      absl::StrSplit(absl::GetFlag(FLAGS_learners), ',', absl::SkipEmpty());
  const int threads = SetIntraOpThreads(absl::GetFlag(FLAGS_threads));
  const std::string core = OpenBlasCoreName();
  const char* core_source =
      std::getenv("OPENBLAS_CORETYPE") != nullptr ? " (OPENBLAS_CORETYPE)" : "";
  std::printf("device %s, %d intra-op threads, OpenBLAS %s kernels%s\n", device->str().c_str(),
              threads, core.empty() ? "(not loaded)" : core.c_str(), core_source);
  std::printf(
      "%d interleaved round(s) of %.0f s per learner and precision, each round with its "
      "own matmul peaks; medians over rounds, [min-max]\n",
      rounds, absl::GetFlag(FLAGS_seconds));
  std::fflush(stdout);

  // Every round measures the peaks, then times each (learner, precision) once, so a host whose
  // speed drifts (shared machines) shifts all rows alike; each rate is set against the peaks of
  // its own round.
  struct Row {
    double gflop_per_update = 0;  // analytic: the same in every round
    std::vector<double> updates_per_second, fp32_share, own_share;
  };
  std::vector<Row> rows(algorithms.size() * precisions.size());
  std::vector<double> fp32_peaks, bf16_peaks;
  for (int round = 0; round < rounds; ++round) {
    fp32_peaks.push_back(MeasureMatmulPeakGflops(*device, torch::kFloat));
    if (any_bf16) bf16_peaks.push_back(MeasureMatmulPeakGflops(*device, torch::kBFloat16));
    for (size_t a = 0; a < algorithms.size(); ++a) {
      for (size_t p = 0; p < precisions.size(); ++p) {
        const absl::StatusOr<Result> result =
            Bench(algorithms[a], precisions[p], *device, absl::GetFlag(FLAGS_seconds), round == 0);
        if (!result.ok()) {
          std::fprintf(stderr, "error: %s\n", std::string(result.status().message()).c_str());
          return 1;
        }
        Row& row = rows[a * precisions.size() + p];
        row.updates_per_second.push_back(result->updates_per_second);
        row.gflop_per_update = result->gflops / result->updates_per_second;
        row.fp32_share.push_back(100.0 * result->gflops / fp32_peaks.back());
        // bf16-policy mixes fp32 critics with bf16 networks: neither peak is its own.
        if (precisions[p] != BF16_POLICY) {
          const double own_peak = precisions[p] == FP32 ? fp32_peaks.back() : bf16_peaks.back();
          row.own_share.push_back(100.0 * result->gflops / own_peak);
        }
      }
    }
  }

  std::printf("fp32 matmul peak %s GFLOP/s", MedianAndRange(fp32_peaks, "%.1f").c_str());
  if (any_bf16) std::printf(", bf16 %s GFLOP/s", MedianAndRange(bf16_peaks, "%.1f").c_str());
  std::printf("\n\n%-8s %-11s %6s %-22s %13s %9s %-22s %s\n", "learner", "precision", "batch",
              "updates/s", "GFLOP/update", "GFLOP/s", "% fp32 peak", "% own peak");
  for (size_t a = 0; a < algorithms.size(); ++a) {
    for (size_t p = 0; p < precisions.size(); ++p) {
      const Row& row = rows[a * precisions.size() + p];
      std::printf("%-8s %-11s %6lld %-22s %13.3f %9.1f %-22s %s\n", algorithms[a].c_str(),
                  PrecisionFlagName(precisions[p]).c_str(),
                  static_cast<long long>(BatchFor(algorithms[a])),
                  MedianAndRange(row.updates_per_second, "%.1f").c_str(), row.gflop_per_update,
                  Median(row.updates_per_second) * row.gflop_per_update,
                  MedianAndRange(row.fp32_share, "%.1f%%").c_str(),
                  row.own_share.empty() ? "-" : MedianAndRange(row.own_share, "%.1f%%").c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace romi::learners

int main(int argc, char** argv) {
  romi::UseBestOpenBlasKernels(argv);
  absl::SetProgramUsageMessage(
      "Usage: bench [--threads=N] [--device=cpu] [--seconds=S] "
      "[--learners=bc,bcq,cql] [--precision=fp32,bf16,bf16-policy|both] [--rounds=3]");
  absl::ParseCommandLine(argc, argv);
  return romi::learners::Run();
}
