// Every registered learner: creation by name, one update, acting, and exact resumption from a
// checkpoint. Small widths keep it fast; the code paths are the paper-size ones.
#include <cmath>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "learners/learner.h"
#include "learners/learner_registry.h"

namespace romi::learners {
namespace {

constexpr int64_t kObs = 4;
constexpr int64_t kAct = 2;

// A small-network config for each registered learner; a learner without one fails the test.
LearnerConfig TinyConfig(const std::string& name) {
  LearnerConfig config;
  config.set_algorithm(name);
  if (name == "bc") {
    config.mutable_bc()->add_hidden(16);
  } else if (name == "bcq") {
    BcqConfig* bcq = config.mutable_bcq();
    for (int64_t w : {16, 16}) bcq->add_actor_hidden(w), bcq->add_critic_hidden(w);
    bcq->add_vae_hidden(16);
    bcq->set_act_candidates(5);
  } else if (name == "cql") {
    CqlConfig* cql = config.mutable_cql();
    cql->add_policy_hidden(16);
    cql->add_critic_hidden(16);
    cql->set_bc_warm_start_steps(1);  // step 0 warm start, later steps SAC
    cql->set_num_sampled_actions(3);
  }
  return config;
}

data::Batch RandomBatch(int64_t rows, uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randn({rows, kObs}), torch::rand({rows, kAct}) * 1.6 - 0.8, torch::randn({rows}),
          torch::randn({rows, kObs}), (torch::rand({rows}) < 0.2).to(torch::kFloat)};
}

std::unique_ptr<Learner> MakeLearner(const LearnerConfig& config, uint64_t seed) {
  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.max_action = 0.9;
  options.config = config;
  options.seed = seed;
  absl::StatusOr<std::unique_ptr<Learner>> learner = LearnerRegistry::Create(options);
  EXPECT_TRUE(learner.ok()) << learner.status();
  return learner.ok() ? *std::move(learner) : nullptr;
}

std::vector<torch::Tensor> Snapshot(const Learner& learner) {
  std::vector<torch::Tensor> copies;
  for (const torch::Tensor& p : learner.parameters()) copies.push_back(p.detach().clone());
  return copies;
}

TEST(CriticDiscountTest, TheCriticsOwnDiscountByAlgorithmAndNothingForBc) {
  LearnerConfig config;
  config.set_algorithm("bcq");
  EXPECT_EQ(CriticDiscount(config), 0.99);  // parameters unset: the default
  config.set_algorithm("cql");
  config.mutable_cql()->set_discount(0.9);
  EXPECT_EQ(CriticDiscount(config), 0.9);
  config.set_algorithm("bc");
  EXPECT_EQ(CriticDiscount(config), std::nullopt);
}

TEST(FillDefaultWidthsTest, FillsEmptyWidthListsAndKeepsGivenOnes) {
  LearnerConfig config;
  config.set_algorithm("bcq");
  config.mutable_bcq()->add_actor_hidden(64);
  config.mutable_bcq()->set_learning_rate(0.5);
  FillDefaultWidths(&config);
  EXPECT_EQ(WidthsOf(config.bcq().actor_hidden()), (std::vector<int64_t>{64}));
  EXPECT_EQ(WidthsOf(config.bcq().critic_hidden()), (std::vector<int64_t>{400, 300}));
  EXPECT_EQ(WidthsOf(config.bcq().vae_hidden()), (std::vector<int64_t>{750, 750}));
  EXPECT_EQ(config.bcq().learning_rate(), 0.5);  // the oneof's member is not switched
  for (const auto& [algorithm, expected] :
       std::vector<std::pair<std::string, int64_t>>{{"bc", 256}, {"cql", 256}, {"sac", 256}}) {
    LearnerConfig other;
    other.set_algorithm(algorithm);
    FillDefaultWidths(&other);
    const auto& widths = algorithm == "bc"    ? other.bc().hidden()
                         : algorithm == "cql" ? other.cql().policy_hidden()
                                              : other.sac().policy_hidden();
    EXPECT_EQ(widths.size(), algorithm == "cql" ? 3 : 2) << algorithm;
    EXPECT_EQ(widths[0], expected) << algorithm;
  }
  // The learner built from an empty config has those widths: BCQ's actor 400-300.
  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.config.set_algorithm("bcq");
  std::unique_ptr<Learner> bcq = LearnerRegistry::Create(options).value();
  int64_t actor_first_layer = 0;
  for (const auto& item : bcq->named_parameters()) {
    if (item.key().rfind("actor.", 0) == 0 && item.value().dim() == 2) {
      actor_first_layer = item.value().size(0);
      break;
    }
  }
  EXPECT_EQ(actor_first_layer, 400);
}

TEST(DivergenceGuardTest, NamesTheFirstNonFiniteMetricAndParameter) {
  EXPECT_TRUE(CheckMetricsFinite({{"critic_loss", 1.5}, {"alpha", 0.1}}).ok());
  const absl::Status metric = CheckMetricsFinite({{"alpha", 0.1}, {"critic_loss", INFINITY}});
  EXPECT_EQ(metric.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(metric.message(), "critic_loss is inf");

  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.config.set_algorithm("bc");
  std::unique_ptr<Learner> bc = LearnerRegistry::Create(options).value();
  EXPECT_TRUE(bc->CheckParametersFinite().ok());
  {
    torch::NoGradGuard no_grad;
    bc->parameters().back()[0].fill_(NAN);
  }
  const absl::Status parameter = bc->CheckParametersFinite();
  EXPECT_EQ(parameter.code(), absl::StatusCode::kInternal);
  EXPECT_NE(parameter.message().find("1 non-finite values (e.g. nan)"), std::string::npos)
      << parameter;
}

TEST(LearnerRegistryTest, ListsTheLearnersAndRejectsUnknownNames) {
  EXPECT_EQ(LearnerRegistry::Names(), (std::vector<std::string>{"bc", "bcq", "cql", "sac"}));
  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.config.set_algorithm("sac2");
  const absl::Status unknown = LearnerRegistry::Create(options).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("bc, bcq, cql"), std::string::npos) << unknown;
}

TEST(LearnerRegistryTest, RejectsParametersOfAnotherLearnerAndBadDimensions) {
  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.config = TinyConfig("cql");
  options.config.set_algorithm("bcq");
  EXPECT_EQ(LearnerRegistry::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.config = TinyConfig("bc");
  options.act_dim = 0;
  EXPECT_EQ(LearnerRegistry::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

class EveryLearnerTest : public ::testing::TestWithParam<std::string> {
 protected:
  // "<name>", or "<name>_lagrange" / "<name>_bf16" / "<name>_bf16policy" for a variant of a
  // registered learner.
  LearnerConfig Config() const {
    const std::string& param = GetParam();
    LearnerConfig config = TinyConfig(param.substr(0, param.find('_')));
    if (param == "cql_lagrange") config.mutable_cql()->set_with_lagrange(true);
    if (absl::EndsWith(param, "_bf16")) config.set_precision(BF16);
    if (absl::EndsWith(param, "_bf16policy")) config.set_precision(BF16_POLICY);
    return config;
  }
};

TEST_P(EveryLearnerTest, UpdateChangesParametersWithFiniteMetrics) {
  std::unique_ptr<Learner> learner = MakeLearner(Config(), 1);
  ASSERT_NE(learner, nullptr);
  const std::vector<torch::Tensor> before = Snapshot(*learner);
  for (int step = 0; step < 2; ++step) {
    const Metrics metrics = learner->Update(RandomBatch(8, 10 + step));
    EXPECT_FALSE(metrics.empty());
    for (const auto& [name, value] : metrics) EXPECT_TRUE(std::isfinite(value)) << name;
  }
  EXPECT_EQ(learner->step(), 2);
  const std::vector<torch::Tensor> after = Snapshot(*learner);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_FALSE(torch::equal(before[i], after[i])) << "parameter " << i << " did not change";
  }
}

TEST_P(EveryLearnerTest, ActsWithinBoundsReproducibly) {
  std::unique_ptr<Learner> learner = MakeLearner(Config(), 2);
  std::unique_ptr<Learner> twin = MakeLearner(Config(), 2);
  ASSERT_NE(learner, nullptr);
  const torch::Tensor observations = torch::randn({6, kObs});
  // Same seed, same acting stream: same actions, sampled or not.
  EXPECT_TRUE(torch::equal(learner->Act(observations, false), twin->Act(observations, false)));
  for (bool deterministic : {true, false}) {
    const torch::Tensor actions = learner->Act(observations, deterministic);
    ASSERT_EQ(actions.sizes(), (std::vector<int64_t>{6, kAct}));
    EXPECT_FALSE(actions.requires_grad());
    EXPECT_LE(actions.abs().max().item<double>(), 0.9 + 1e-6);
  }
}

// Learners with a critic value (s, a) pairs with it, one value a row, reproducibly and without
// gradients; BC has none.
TEST_P(EveryLearnerTest, ValuesStateActionPairsWithItsCriticWhereItHasOne) {
  std::unique_ptr<Learner> learner = MakeLearner(Config(), 4);
  ASSERT_NE(learner, nullptr);
  learner->Update(RandomBatch(8, 20));
  const torch::Tensor observations = torch::randn({5, kObs});
  const torch::Tensor actions = torch::rand({5, kAct}) - 0.5;
  const std::optional<torch::Tensor> values = learner->Value(observations, actions);
  ASSERT_EQ(values.has_value(), Config().algorithm() != "bc") << GetParam();
  if (!values.has_value()) return;
  ASSERT_EQ(values->sizes(), (std::vector<int64_t>{5}));
  EXPECT_FALSE(values->requires_grad());
  EXPECT_TRUE(torch::isfinite(*values).all().item<bool>());
  EXPECT_TRUE(torch::equal(*values, *learner->Value(observations, actions)));
  // Row by row: a value depends on its own row alone.
  EXPECT_TRUE(torch::allclose(values->slice(0, 1, 3),
                              *learner->Value(observations.slice(0, 1, 3), actions.slice(0, 1, 3)),
                              1e-2, 1e-4));
  EXPECT_FALSE(torch::equal((*values)[0], (*values)[1]));
}

TEST_P(EveryLearnerTest, SaveLoadUpdateIsBitIdenticalToAnUninterruptedRun) {
  const std::string path = ::testing::TempDir() + "/learner_" + GetParam() + ".pt";
  std::unique_ptr<Learner> original = MakeLearner(Config(), 3);
  ASSERT_NE(original, nullptr);
  for (int step = 0; step < 3; ++step) original->Update(RandomBatch(8, 20 + step));
  ASSERT_TRUE(original->Save(path).ok());
  original->Act(torch::randn({2, kObs}), false);  // acting must not change training
  const Metrics expected = original->Update(RandomBatch(8, 30));

  std::unique_ptr<Learner> resumed = MakeLearner(Config(), 99);  // a different seed: all loaded
  const absl::Status loaded = resumed->Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_EQ(resumed->step(), 3);
  const Metrics actual = resumed->Update(RandomBatch(8, 30));
  EXPECT_EQ(actual, expected);
  const std::vector<torch::Tensor> a = Snapshot(*original);
  const std::vector<torch::Tensor> b = Snapshot(*resumed);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  std::remove(path.c_str());
}

// Sharding a batch across cores (learners/data_parallel.h) computes the same update: one shard
// and three shards from the same state agree up to float rounding.
TEST_P(EveryLearnerTest, ShardedUpdateMatchesTheUnshardedOne) {
  LearnerConfig one_shard = Config();
  one_shard.set_parallel_shards(1);
  LearnerConfig three_shards = Config();
  three_shards.set_parallel_shards(3);
  std::unique_ptr<Learner> whole = MakeLearner(one_shard, 5);
  std::unique_ptr<Learner> sharded = MakeLearner(three_shards, 5);
  ASSERT_NE(whole, nullptr);
  ASSERT_NE(sharded, nullptr);
  const bool bf16 = Config().precision() != FP32;
  for (int step = 0; step < 2; ++step) {
    const Metrics expected = whole->Update(RandomBatch(10, 40 + step));
    const Metrics actual = sharded->Update(RandomBatch(10, 40 + step));
    for (const auto& [name, value] : expected) {
      EXPECT_NEAR(actual.at(name), value, (bf16 ? 2e-2 : 1e-4) * (1 + std::abs(value))) << name;
    }
  }
  // Adam moves each weight by about lr = 1e-3 per step whatever the gradient's size, so a wrong
  // gradient would still land every weight within 2 lr of the right one: compare displacements
  // from the common initial weights. Only a weight whose gradient is within rounding of zero may
  // move the other way; the right gradient, computed twice, moves nearly every weight alike.
  const std::vector<torch::Tensor> initial = Snapshot(*MakeLearner(one_shard, 5));
  const std::vector<torch::Tensor> a = Snapshot(*whole);
  const std::vector<torch::Tensor> b = Snapshot(*sharded);
  int64_t weights = 0, moved = 0, apart = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const torch::Tensor moved_whole = a[i] - initial[i];
    const torch::Tensor moved_sharded = b[i] - initial[i];
    weights += a[i].numel();
    moved += (moved_whole.abs() > 1e-4).sum().item<int64_t>();
    apart += ((moved_whole - moved_sharded).abs() > 1e-4).sum().item<int64_t>();
  }
  std::printf("%s: %lld weights, %lld moved, %lld moved differently\n", GetParam().c_str(),
              static_cast<long long>(weights), static_cast<long long>(moved),
              static_cast<long long>(apart));
  EXPECT_GT(moved, weights / 2);
  EXPECT_LT(apart, weights / 100);
}

TEST(LearnerOptionsTest, RefusesNegativeShardCounts) {
  LearnerOptions options;
  options.obs_dim = kObs;
  options.act_dim = kAct;
  options.config = TinyConfig("bcq");
  options.config.set_parallel_shards(-1);
  const absl::Status status = LearnerRegistry::Create(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("parallel_shards"), std::string::npos) << status;
}

TEST_P(EveryLearnerTest, LoadRefusesAnotherLearnersCheckpoint) {
  const std::string path = ::testing::TempDir() + "/other_" + GetParam() + ".pt";
  const std::string other = Config().algorithm() == "bc" ? "bcq" : "bc";
  ASSERT_TRUE(MakeLearner(TinyConfig(other), 4)->Save(path).ok());
  EXPECT_EQ(MakeLearner(Config(), 4)->Load(path).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MakeLearner(Config(), 4)->Load(path + ".missing").ok());
  std::remove(path.c_str());
}

// A checkpoint of the same learner with another layer width: torch's own loader would take the
// stored shapes and crash the next update; ours names the tensor and both shapes.
TEST_P(EveryLearnerTest, LoadRefusesACheckpointOfAnotherShape) {
  const std::string path = ::testing::TempDir() + "/wider_" + GetParam() + ".pt";
  LearnerConfig wider = Config();
  if (wider.has_bc()) wider.mutable_bc()->set_hidden(0, 24);
  if (wider.has_bcq()) wider.mutable_bcq()->set_actor_hidden(0, 24);
  if (wider.has_cql()) wider.mutable_cql()->set_policy_hidden(0, 24);
  const std::unique_ptr<Learner> saved = MakeLearner(wider, 4);
  for (int i = 0; i < 3; ++i) saved->Update(RandomBatch(32, i));
  ASSERT_TRUE(saved->Save(path).ok());
  const std::unique_ptr<Learner> learner = MakeLearner(Config(), 4);
  const absl::Status loaded = learner->Load(path);
  EXPECT_EQ(loaded.code(), absl::StatusCode::kInvalidArgument) << loaded;
  EXPECT_NE(loaded.message().find(path + ": modules/"), std::string::npos) << loaded;
  EXPECT_NE(loaded.message().find("24"), std::string::npos) << loaded;
  // A checkpoint of its own configuration still loads, and training goes on from it.
  const std::unique_ptr<Learner> same = MakeLearner(Config(), 5);
  for (int i = 0; i < 3; ++i) same->Update(RandomBatch(32, i));
  ASSERT_TRUE(same->Save(path).ok());
  ASSERT_TRUE(learner->Load(path).ok());
  EXPECT_EQ(learner->step(), 3);
  for (const auto& [name, value] : learner->Update(RandomBatch(32, 9))) {
    EXPECT_TRUE(std::isfinite(value)) << name;
  }
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Registered, EveryLearnerTest,
                         ::testing::Values("bc", "bcq", "cql", "cql_lagrange", "bcq_bf16",
                                           "cql_bf16", "bcq_bf16policy", "cql_bf16policy"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace romi::learners
