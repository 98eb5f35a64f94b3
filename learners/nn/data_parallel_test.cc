#include "learners/nn/data_parallel.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "learners/nn/precision.h"

namespace romi::learners {
namespace {

TEST(DataParallelTest, SplitCoversRowsInContiguousNearEqualShards) {
  const std::vector<Shard> shards = DataParallel(3).Split(10);
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(shards[0].begin, 0);
  EXPECT_EQ(shards[0].size(), 4);
  EXPECT_EQ(shards[1].begin, 4);
  EXPECT_EQ(shards[1].size(), 3);
  EXPECT_EQ(shards[2].begin, 7);
  EXPECT_EQ(shards[2].end, 10);
  EXPECT_DOUBLE_EQ(shards[0].weight + shards[1].weight + shards[2].weight, 1.0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(shards[i].index, i);
}

TEST(DataParallelTest, NeverMoreShardsThanRows) {
  EXPECT_EQ(DataParallel(4).Split(2).size(), 2u);
  EXPECT_EQ(DataParallel(0).shards(), 1);
  EXPECT_EQ(DataParallel(1).Split(5).front().size(), 5);
}

TEST(DataParallelTest, ShardViewsSelectTheirRows) {
  const torch::Tensor x = torch::arange(6).view({6, 1});
  const Shard shard = DataParallel(2).Split(3)[1];  // rows [2, 3)
  EXPECT_EQ(shard.Rows(x).flatten()[0].item<int64_t>(), 2);
  // Rows repeated twice: the shard owns rows [4, 6) of the repeated tensor.
  EXPECT_EQ(shard.RepeatedRows(x, 2).flatten()[0].item<int64_t>(), 4);
  EXPECT_EQ(shard.RepeatedRows(x, 2).size(0), 2);
}

TEST(DataParallelTest, ForEachRunsEveryShardOnceWithTheCallersModes) {
  torch::set_num_threads(2);
  std::atomic<int> visits{0};
  std::atomic<int> grad_enabled{0};
  std::atomic<int> bf16{0};
  {
    torch::NoGradGuard no_grad;
    ScopedPrecision precision(BF16);
    DataParallel(4).ForEach(8, [&](const Shard&) {
      ++visits;
      if (torch::GradMode::is_enabled()) ++grad_enabled;
      if (MatmulDtype() == torch::kBFloat16) ++bf16;
    });
  }
  EXPECT_EQ(visits.load(), 4);
  EXPECT_EQ(grad_enabled.load(), 0);
  EXPECT_EQ(bf16.load(), 4);
}

TEST(DataParallelTest, ForEachRethrowsAShardsException) {
  torch::set_num_threads(2);
  EXPECT_THROW(DataParallel(2).ForEach(4,
                                       [](const Shard& shard) {
                                         if (shard.index == 1) throw std::runtime_error("shard 1");
                                       }),
               std::runtime_error);
}

// A linear model's mean squared error, and its gradient, on a fixed batch.
struct Problem {
  torch::Tensor x = torch::randn({37, 5}, at::make_generator<at::CPUGeneratorImpl>(3));
  torch::Tensor y = torch::randn({37, 2}, at::make_generator<at::CPUGeneratorImpl>(4));
  torch::Tensor weight =
      torch::randn({5, 2}, at::make_generator<at::CPUGeneratorImpl>(5)).requires_grad_();
  torch::Tensor bias = torch::zeros({2}).requires_grad_();
  torch::Tensor unused = torch::zeros({1}).requires_grad_();

  torch::Tensor Loss(const torch::Tensor& x_rows, const torch::Tensor& y_rows) const {
    return (torch::addmm(bias, x_rows, weight) - y_rows).square().mean();
  }
  torch::Tensor ShardedBackward(const DataParallel& parallel) {
    for (torch::Tensor* p : {&weight, &bias}) p->mutable_grad().reset();
    return parallel.Backward(37, {weight, bias, unused}, [&](const Shard& shard) {
      return Loss(shard.Rows(x), shard.Rows(y)) * shard.weight;
    });
  }
};

TEST(DataParallelTest, BackwardSumsShardGradientsIntoTheFullBatchGradient) {
  torch::set_num_threads(2);
  Problem problem;
  const torch::Tensor full_loss = problem.Loss(problem.x, problem.y);
  full_loss.backward();
  const torch::Tensor full_weight_grad = problem.weight.grad().clone();
  const torch::Tensor full_bias_grad = problem.bias.grad().clone();

  const torch::Tensor loss = problem.ShardedBackward(DataParallel(3));
  EXPECT_FALSE(loss.requires_grad());
  EXPECT_NEAR(loss.item<double>(), full_loss.item<double>(), 1e-5);
  EXPECT_TRUE(torch::allclose(problem.weight.grad(), full_weight_grad, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(problem.bias.grad(), full_bias_grad, 1e-5, 1e-6));
  EXPECT_FALSE(problem.unused.grad().defined());
}

TEST(DataParallelTest, ResultsDependOnTheShardCountNotTheThreadCount) {
  Problem problem;
  torch::set_num_threads(1);
  const torch::Tensor one_thread_loss = problem.ShardedBackward(DataParallel(2));
  const torch::Tensor one_thread_grad = problem.weight.grad().clone();
  torch::set_num_threads(2);
  const torch::Tensor two_thread_loss = problem.ShardedBackward(DataParallel(2));
  EXPECT_TRUE(torch::equal(one_thread_loss, two_thread_loss));
  EXPECT_TRUE(torch::equal(one_thread_grad, problem.weight.grad()));
}

}  // namespace
}  // namespace romi::learners
