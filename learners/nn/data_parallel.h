// Data parallelism across the cores of one machine, inside a single update.
//
// The learners' batches are small (BCQ: 100 rows). Splitting every matrix product of such a batch
// across cores, as the BLAS does by default, costs a fork and join per operation and leaves each
// core thin slices of work: on our 2-core machine BCQ ran at 30-38 updates/s on two threads, while
// two single-threaded processes on half the batch each ran at ~50 (learners/bench). So instead the
// batch is cut into shards, each shard runs its whole forward and backward pass on one core
// (single-threaded BLAS and ATen inside), and the shards' gradients are summed.
//
//   DataParallel parallel(2);
//   torch::Tensor loss = parallel.Backward(rows, net->parameters(), [&](const Shard& shard) {
//     return LossOf(shard.Rows(x)) * shard.weight;    // weight = shard rows / all rows
//   });                                               // every parameter's grad now holds the sum
//   optimizer.step();
//
// Reproducibility: the cut depends only on the row count and the shard count, never on the thread
// count or on timing, and shard results are combined in shard order; so a given shard count gives
// bit-identical results with one thread or many. Randomness must be drawn by the caller for the
// whole batch before the shards run (shards never touch a generator).
#ifndef ROMI_LEARNERS_NN_DATA_PARALLEL_H_
#define ROMI_LEARNERS_NN_DATA_PARALLEL_H_

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "learners/learners.pb.h"

namespace romi::learners {

// One contiguous block of a batch's rows.
struct Shard {
  int index = 0;
  int64_t begin = 0;  // [begin, end) of the batch's rows
  int64_t end = 0;
  double weight = 1;  // (end - begin) / rows: turns a mean over the shard into its share of the
                      // mean over the batch

  int64_t size() const { return end - begin; }
  // Rows [begin, end) of `tensor`'s first dimension (a view).
  torch::Tensor Rows(const torch::Tensor& tensor) const { return tensor.slice(0, begin, end); }
  // Rows [begin * k, end * k): the shard's part of a tensor that repeats each row k times.
  torch::Tensor RepeatedRows(const torch::Tensor& tensor, int64_t k) const {
    return tensor.slice(0, begin * k, end * k);
  }
};

class DataParallel {
 public:
  // `shards` <= 1 runs everything on the calling thread as a single shard (as on a GPU).
  explicit DataParallel(int shards = 1);

  int shards() const { return shards_; }

  // The shards of `rows` rows: min(shards(), rows) contiguous blocks whose sizes differ by at
  // most one, larger blocks first.
  std::vector<Shard> Split(int64_t rows) const;

  // Runs fn(shard) for every shard of `rows`, concurrently on torch's intra-op threads, each shard
  // single-threaded inside. fn sees the caller's grad mode, inference mode and matmul precision.
  // The first exception a shard throws is rethrown here after all shards finish.
  void ForEach(int64_t rows, const std::function<void(const Shard&)>& fn) const;

  // The gradient of the sum over shards of loss(shard) with respect to `parameters`, written
  // to each parameter's grad (replacing what was there, like ZeroGrad followed by backward).
  // A parameter no shard's loss depends on gets no grad. Returns the summed loss, detached.
  torch::Tensor Backward(int64_t rows, const std::vector<torch::Tensor>& parameters,
                         const std::function<torch::Tensor(const Shard&)>& loss) const;

 private:
  // ForEach() over shards already split.
  static void Run(const std::vector<Shard>& shards, const std::function<void(const Shard&)>& fn);

  int shards_;
};

// The shard count of a learner with `config` on `device`: config.parallel_shards() when set;
// otherwise one shard per intra-op thread for FP32 on the CPU, and one on other devices or for
// BF16 and BF16_POLICY, whose oneDNN/AMX products run faster on the whole batch with every thread
// than on shards (BCQ in BF16: 54-61 against 38-44 updates/s).
int ShardsFor(const LearnerConfig& config, const torch::Device& device);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_NN_DATA_PARALLEL_H_
