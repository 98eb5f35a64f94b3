#include "learners/nn/data_parallel.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>

#include <algorithm>
#include <exception>
#include <mutex>

#include "learners/nn/precision.h"

// This file is compiled with -fopenmp, so at::parallel_for below is ATen's OpenMP loop: inside it
// at::in_parallel_region() holds, which makes every ATen kernel and the OpenMP build of OpenBLAS
// run single-threaded on the shard's core.

namespace romi::learners {

DataParallel::DataParallel(int shards) : shards_(std::max(1, shards)) {}

std::vector<Shard> DataParallel::Split(int64_t rows) const {
  const int64_t count = std::max<int64_t>(1, std::min<int64_t>(shards_, rows));
  std::vector<Shard> shards(count);
  int64_t begin = 0;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t size = rows / count + (i < rows % count ? 1 : 0);
    shards[i].index = static_cast<int>(i);
    shards[i].begin = begin;
    shards[i].end = begin + size;
    shards[i].weight = rows > 0 ? static_cast<double>(size) / static_cast<double>(rows) : 0.0;
    begin += size;
  }
  return shards;
}

void DataParallel::ForEach(int64_t rows, const std::function<void(const Shard&)>& fn) const {
  Run(Split(rows), fn);
}

void DataParallel::Run(const std::vector<Shard>& shards,
                       const std::function<void(const Shard&)>& fn) {
  if (shards.size() == 1) {
    fn(shards.front());
    return;
  }
  // Grad mode, inference mode and the like are thread-local: carry the caller's into the shards.
  const at::ThreadLocalState state;
  const Precision precision = CurrentPrecision();
  std::mutex mutex;
  std::exception_ptr first_error;
  at::parallel_for(0, static_cast<int64_t>(shards.size()), 1, [&](int64_t begin, int64_t end) {
    at::ThreadLocalStateGuard state_guard(state);
    ScopedPrecision precision_guard(precision);
    for (int64_t i = begin; i < end; ++i) {
      try {
        fn(shards[i]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
    }
  });
  if (first_error) std::rethrow_exception(first_error);
}

torch::Tensor DataParallel::Backward(int64_t rows, const std::vector<torch::Tensor>& parameters,
                                     const std::function<torch::Tensor(const Shard&)>& loss) const {
  const std::vector<Shard> shards = Split(rows);
  std::vector<torch::Tensor> losses(shards.size());
  std::vector<std::vector<torch::Tensor>> gradients(shards.size());
  Run(shards, [&](const Shard& shard) {
    const torch::Tensor value = loss(shard);
    gradients[shard.index] = torch::autograd::grad({value}, parameters, /*grad_outputs=*/{},
                                                   /*retain_graph=*/false,
                                                   /*create_graph=*/false,
                                                   /*allow_unused=*/true);
    losses[shard.index] = value.detach();
  });
  torch::NoGradGuard no_grad;
  for (size_t p = 0; p < parameters.size(); ++p) {
    torch::Tensor sum;
    bool owned = false;  // whether `sum` is a buffer of our own that may be added to in place
    for (const std::vector<torch::Tensor>& shard_gradients : gradients) {
      const torch::Tensor& gradient = shard_gradients[p];
      if (!gradient.defined()) continue;
      if (!sum.defined()) {
        sum = gradient;
      } else if (!owned) {
        sum = sum + gradient;
        owned = true;
      } else {
        sum.add_(gradient);
      }
    }
    torch::Tensor parameter = parameters[p];
    parameter.mutable_grad() = sum;
  }
  torch::Tensor total = losses.front();
  for (size_t i = 1; i < losses.size(); ++i) total = total + losses[i];
  return total;
}

int ShardsFor(const LearnerConfig& config, const torch::Device& device) {
  if (config.parallel_shards() > 0) return config.parallel_shards();
  return device.is_cpu() && config.precision() == FP32 ? std::max(1, at::get_num_threads()) : 1;
}

}  // namespace romi::learners
