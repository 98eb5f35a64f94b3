// Batch sampling throughput on a 1e6-row dataset: uniform, return-priority and ROMI's mixed
// real/model batches, B = 256.
//
//   bazel run -c opt //data:sampler_benchmark
#include <ATen/CPUGeneratorImpl.h>
#include <benchmark/benchmark.h>

#include "data/batch_sampler.h"
#include "data/dataset.h"
#include "data/return_priority.h"
#include "data/synthetic.h"

namespace romi::data {
namespace {

constexpr int64_t kRows = 1000000;
constexpr int64_t kBatch = 256;

const Dataset& BenchmarkDataset() {
  static const Dataset* dataset = [] {
    DatasetOptions options;
    return new Dataset(
        *Dataset::FromD4rlFile(MakePointMassDataset(kRows, 1000, 0), options, "synthetic"));
  }();
  return *dataset;
}

void Run(benchmark::State& state, BatchSampler sampler) {
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  for (auto _ : state) {
    const Batch& batch = sampler.Next(generator);
    benchmark::DoNotOptimize(batch.observations.data_ptr());
  }
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Uniform(benchmark::State& state) {
  Run(state, *BatchSampler::Uniform(BenchmarkDataset().transitions(), kBatch));
}
BENCHMARK(BM_Uniform);

void BM_ReturnPriority(benchmark::State& state) {
  const Dataset& data = BenchmarkDataset();
  RowSource real{data.transitions(), ReturnPriorityDistribution(data)};
  Run(state, *BatchSampler::Mixed(real, real, kBatch, 0.0));
}
BENCHMARK(BM_ReturnPriority);

void BM_MixedPriorityRealUniformModel(benchmark::State& state) {
  const Dataset& data = BenchmarkDataset();
  RowSource real{data.transitions(), ReturnPriorityDistribution(data)};
  RowSource model{data.transitions(), IndexDistribution::Uniform(data.size())};
  Run(state, *BatchSampler::Mixed(real, model, kBatch, 0.1));
}
BENCHMARK(BM_MixedPriorityRealUniformModel);

}  // namespace
}  // namespace romi::data
