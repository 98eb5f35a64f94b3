// Statistical tests use fixed seeds and margins of many standard deviations, so they cannot flake.
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "absl/status/status.h"
#include "data/batch_sampler.h"
#include "data/dataset.h"
#include "data/index_distribution.h"
#include "data/return_priority.h"
#include "gtest/gtest.h"

namespace romi::data {
namespace {

torch::Generator Seeded(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// A table whose rewards hold `marker` and whose observations hold the row number.
Transitions MarkedTable(int64_t rows, float marker) {
  Transitions t = Transitions::Zeros(rows, 2, 1);
  t.observations.select(1, 0).copy_(torch::arange(rows, torch::kFloat32));
  t.rewards.fill_(marker);
  return t;
}

// Counts of each row index over `draws` draws.
torch::Tensor Histogram(const IndexDistribution& distribution, int64_t draws, uint64_t seed) {
  torch::Generator generator = Seeded(seed);
  const torch::Tensor indices = distribution.Sample(draws, generator);
  return torch::bincount(indices, {}, distribution.rows()).to(torch::kFloat64);
}

TEST(IndexDistributionTest, UniformFrequencies) {
  const int64_t draws = 200000;
  const torch::Tensor counts = Histogram(IndexDistribution::Uniform(10), draws, 1);
  // Binomial std of each count: sqrt(n p (1 - p)) ~ 134; allow 6 sigma.
  EXPECT_LT((counts - draws / 10.0).abs().max().item<double>(), 6 * 134.0);
}

TEST(IndexDistributionTest, WeightedFrequenciesMatchWeightsAndZeroWeightsNeverDrawn) {
  const torch::Tensor weights = torch::tensor({0.0, 1.0, 3.0, 0.0, 6.0});
  const absl::StatusOr<IndexDistribution> distribution = IndexDistribution::Weighted(weights);
  ASSERT_TRUE(distribution.ok());
  EXPECT_TRUE(torch::allclose(distribution->Probabilities(),
                              torch::tensor({0.0, 0.1, 0.3, 0.0, 0.6}, torch::kFloat64)));
  const int64_t draws = 200000;
  const torch::Tensor counts = Histogram(*distribution, draws, 2);
  EXPECT_EQ(counts[0].item<double>(), 0);
  EXPECT_EQ(counts[3].item<double>(), 0);
  const double expected[] = {0, 0.1, 0.3, 0, 0.6};
  for (int i : {1, 2, 4}) {
    const double sigma = std::sqrt(draws * expected[i] * (1 - expected[i]));
    EXPECT_NEAR(counts[i].item<double>(), draws * expected[i], 6 * sigma) << "row " << i;
  }
}

TEST(IndexDistributionTest, RejectsBadWeights) {
  EXPECT_FALSE(IndexDistribution::Weighted(torch::tensor({1.0, -1.0})).ok());
  EXPECT_FALSE(IndexDistribution::Weighted(torch::tensor({0.0, 0.0})).ok());
  EXPECT_FALSE(IndexDistribution::Weighted(torch::tensor({1.0, std::nan("")})).ok());
  EXPECT_FALSE(IndexDistribution::Weighted(torch::ones({2, 2})).ok());
}

TEST(BatchSamplerTest, MixedCountsFollowRomiRounding) {
  EXPECT_EQ(BatchSampler::RealRows(100, 0.7), 30);
  EXPECT_EQ(BatchSampler::ModelRows(100, 0.7), 70);
  EXPECT_EQ(BatchSampler::RealRows(256, 0.1), 230);
  EXPECT_EQ(BatchSampler::ModelRows(256, 0.1), 25);
  EXPECT_EQ(BatchSampler::RealRows(100, 0.5), 50);
  EXPECT_EQ(BatchSampler::ModelRows(100, 0.3), 30);
}

TEST(BatchSamplerTest, MixedBatchesTakeExactCountsFromEachTable) {
  const RowSource real{MarkedTable(1000, 0.0f), IndexDistribution::Uniform(1000)};
  const RowSource model{MarkedTable(500, 1.0f), IndexDistribution::Uniform(500)};
  absl::StatusOr<BatchSampler> sampler = BatchSampler::Mixed(real, model, 100, 0.7);
  ASSERT_TRUE(sampler.ok()) << sampler.status();
  EXPECT_EQ(sampler->batch_size(), 100);
  EXPECT_EQ(sampler->part_rows(), (std::vector<int64_t>{30, 70}));
  torch::Generator generator = Seeded(3);
  for (int step = 0; step < 20; ++step) {
    const Batch& batch = sampler->Next(generator);
    EXPECT_EQ(batch.rewards.slice(0, 0, 30).sum().item<float>(), 0.0f);
    EXPECT_EQ(batch.rewards.slice(0, 30, 100).sum().item<float>(), 70.0f);
    EXPECT_LT(batch.observations.slice(0, 30, 100).select(1, 0).max().item<float>(), 500.0f);
  }
}

TEST(BatchSamplerTest, RowsAreGatheredConsistentlyAcrossColumns) {
  Transitions table = MarkedTable(50, 0.0f);
  table.next_observations.select(1, 0).copy_(torch::arange(50, torch::kFloat32) + 1000);
  table.actions.select(1, 0).copy_(torch::arange(50, torch::kFloat32) * 2);
  absl::StatusOr<BatchSampler> sampler = BatchSampler::Uniform(table, 64);
  ASSERT_TRUE(sampler.ok());
  torch::Generator generator = Seeded(4);
  const Batch& batch = sampler->Next(generator);
  const torch::Tensor row = batch.observations.select(1, 0);
  EXPECT_TRUE(torch::equal(batch.next_observations.select(1, 0), row + 1000));
  EXPECT_TRUE(torch::equal(batch.actions.select(1, 0), row * 2));
}

TEST(BatchSamplerTest, SameSeedSameBatches) {
  const Transitions table = MarkedTable(1000, 0.0f);
  absl::StatusOr<BatchSampler> a = BatchSampler::Uniform(table, 32);
  absl::StatusOr<BatchSampler> b = BatchSampler::Uniform(table, 32);
  torch::Generator ga = Seeded(9);
  torch::Generator gb = Seeded(9);
  for (int step = 0; step < 5; ++step) {
    EXPECT_TRUE(torch::equal(a->Next(ga).observations, b->Next(gb).observations));
  }
}

TEST(BatchSamplerTest, RejectsBadConfigurations) {
  const RowSource real{MarkedTable(10, 0.0f), IndexDistribution::Uniform(10)};
  const RowSource empty{MarkedTable(0, 1.0f), IndexDistribution::Uniform(0)};
  EXPECT_EQ(BatchSampler::Mixed(real, real, 100, 1.5).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BatchSampler::Mixed(real, empty, 100, 0.5).status().code(),
            absl::StatusCode::kInvalidArgument);
  const RowSource wide{Transitions::Zeros(10, 3, 1), IndexDistribution::Uniform(10)};
  EXPECT_EQ(BatchSampler::Mixed(real, wide, 100, 0.5).status().code(),
            absl::StatusCode::kInvalidArgument);
  const RowSource mismatched{MarkedTable(10, 0.0f), IndexDistribution::Uniform(11)};
  EXPECT_FALSE(BatchSampler::Mixed(mismatched, real, 10, 0.5).ok());
  // eta = 0 needs no model rows at all, so an empty model table is fine.
  EXPECT_TRUE(BatchSampler::Mixed(real, empty, 100, 0.0).ok());
}

// Three episodes with returns 1, 5 and 3 (rows 0-1, 2-4, 5).
Dataset ThreeEpisodes() {
  D4rlFile file;
  file.observations = torch::zeros({7, 1});
  file.actions = torch::zeros({7, 1});
  file.rewards = torch::tensor({0.5f, 0.5f, 1.0f, 2.0f, 2.0f, 3.0f, 0.0f});
  file.terminals = torch::tensor({0.f, 1.f, 0.f, 0.f, 1.f, 0.f, 0.f});
  file.timeouts = torch::zeros({7});
  return *Dataset::FromD4rlFile(file, DatasetOptions(), "three_episodes");
}

TEST(ReturnPriorityTest, WeightsMatchFormula) {
  const Dataset data = ThreeEpisodes();
  ASSERT_EQ(data.num_episodes(), 3);
  // (R - 1) / max(1, 5 - 1): episode weights 0, 1, 0.5.
  EXPECT_TRUE(torch::allclose(ReturnPriorityWeights(data),
                              torch::tensor({0.0, 0.0, 1.0, 1.0, 1.0, 0.5}, torch::kFloat64)));
}

TEST(ReturnPriorityTest, SmallReturnRangeIsNotAmplified) {
  D4rlFile file;
  file.observations = torch::zeros({5, 1});
  file.actions = torch::zeros({5, 1});
  file.rewards = torch::tensor({0.1f, 0.2f, 0.0f, 0.0f, 0.0f});  // returns 0.1 and 0.2
  file.terminals = torch::tensor({1.f, 1.f, 0.f, 0.f, 0.f});
  file.timeouts = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f});
  const Dataset data = *Dataset::FromD4rlFile(file, DatasetOptions(), "small_range");
  // Returns 0.1, 0.2, 0 (rows 2..2): divided by max(1, 0.2) = 1.
  EXPECT_TRUE(torch::allclose(ReturnPriorityWeights(data),
                              torch::tensor({0.1, 0.2, 0.0}, torch::kFloat64)));
}

TEST(ReturnPriorityTest, SamplingFollowsEpisodeReturns) {
  const Dataset data = ThreeEpisodes();
  const IndexDistribution distribution = ReturnPriorityDistribution(data);
  const int64_t draws = 100000;
  const torch::Tensor counts = Histogram(distribution, draws, 5);
  // Total weight 3 * 1 + 0.5 = 3.5: rows 2-4 get 1/3.5 each, row 5 0.5/3.5, rows 0-1 never.
  EXPECT_EQ(counts[0].item<double>() + counts[1].item<double>(), 0);
  for (int row : {2, 3, 4}) {
    EXPECT_NEAR(counts[row].item<double>() / draws, 1 / 3.5, 0.01);
  }
  EXPECT_NEAR(counts[5].item<double>() / draws, 0.5 / 3.5, 0.01);
}

TEST(ReturnPriorityTest, EqualReturnsFallBackToUniform) {
  D4rlFile file;
  file.observations = torch::zeros({5, 1});
  file.actions = torch::zeros({5, 1});
  file.rewards = torch::ones({5});
  file.terminals = torch::tensor({0.f, 1.f, 0.f, 1.f, 0.f});
  file.timeouts = torch::zeros({5});
  const Dataset data = *Dataset::FromD4rlFile(file, DatasetOptions(), "equal");
  EXPECT_TRUE(ReturnPriorityDistribution(data).uniform());
}

}  // namespace
}  // namespace romi::data
