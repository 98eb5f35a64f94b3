#include "learners/nn/gaussian_ensemble_gradients.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "learners/nn/gaussian_ensemble.h"

namespace romi::learners {
namespace {

constexpr int64_t kMembers = 3;
constexpr int64_t kInput = 5;
constexpr int64_t kOutput = 4;
const std::vector<double> kDecay = {2.5e-5, 5e-5, 7.5e-5, 1e-4};  // input, two hidden, heads

// A small ensemble whose log-variance heads straddle both soft bounds, so that every branch of
// the bounded log-variance's gradient is exercised.
GaussianEnsemble MakeNet() {
  torch::manual_seed(7);
  GaussianEnsemble net(kMembers, kInput, kOutput, /*hidden_layers=*/3, /*hidden_width=*/24,
                       /*max_log_var_init=*/0.5, /*min_log_var_init=*/-1.0);
  torch::NoGradGuard no_grad;
  for (const EnsembleLinear& layer : net->layers()) {
    layer->weight.normal_(0.0, 0.6);
    layer->bias.normal_(0.0, 0.3);
  }
  net->max_log_var.copy_(torch::tensor({0.5, 0.2, 1.0, 0.0}));
  net->min_log_var.copy_(torch::tensor({-1.0, -0.5, -2.0, -0.3}));
  return net;
}

struct Batch {
  torch::Tensor x, y;
};

Batch MakeBatch(int64_t rows) {
  torch::manual_seed(11);
  return {torch::randn({kMembers, rows, kInput}), torch::randn({kMembers, rows, kOutput})};
}

std::vector<torch::Tensor> Grads(GaussianEnsemble& net) {
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : net->parameters()) grads.push_back(p.grad().clone());
  return grads;
}

std::vector<torch::Tensor> AutogradGrads(GaussianEnsemble& net, const Batch& batch,
                                         double penalty) {
  net->zero_grad();
  GaussianEnsembleLoss(*net, batch.x, batch.y, penalty, kDecay).backward();
  return Grads(net);
}

std::vector<torch::Tensor> HandGrads(GaussianEnsemble& net, const Batch& batch, double penalty,
                                     double* nll = nullptr) {
  GaussianEnsembleGradients gradients(*net, /*max_batch=*/64);
  const double value = gradients.Compute(batch.x, batch.y, penalty, kDecay);
  if (nll != nullptr) *nll = value;
  return Grads(net);
}

void ExpectClose(const std::vector<torch::Tensor>& actual,
                 const std::vector<torch::Tensor>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const double scale = expected[i].abs().max().item<double>();
    ASSERT_GT(scale, 0.0) << "parameter " << i << " has an all-zero reference gradient";
    const double error = (actual[i] - expected[i]).abs().max().item<double>();
    EXPECT_LE(error, 2e-5 * scale)
        << "parameter " << i << ": max |error| " << error << " against max |grad| " << scale;
  }
}

TEST(GaussianEnsembleGradientsTest, MatchesAutogradForEveryParameter) {
  GaussianEnsemble net = MakeNet();
  ASSERT_TRUE(GaussianEnsembleGradients::Supported(*net));
  for (const int64_t rows : {1, 17, 64}) {
    SCOPED_TRACE(rows);
    const Batch batch = MakeBatch(rows);
    const std::vector<torch::Tensor> expected = AutogradGrads(net, batch, /*penalty=*/0.01);
    double nll = 0;
    const std::vector<torch::Tensor> actual = HandGrads(net, batch, 0.01, &nll);
    ExpectClose(actual, expected);

    torch::NoGradGuard no_grad;
    const GaussianOutput out = net->forward(batch.x);
    const double reference = ((out.mean - batch.y).pow(2) * torch::exp(-out.log_var) + out.log_var)
                                 .mean({1, 2})
                                 .sum()
                                 .item<double>();
    EXPECT_NEAR(nll, reference, 1e-5 * std::abs(reference));
  }
}

TEST(GaussianEnsembleGradientsTest, OverwritesGradientsInsteadOfAccumulating) {
  GaussianEnsemble net = MakeNet();
  const Batch batch = MakeBatch(17);
  GaussianEnsembleGradients gradients(*net, /*max_batch=*/17);
  gradients.Compute(batch.x, batch.y, 0.01, kDecay);
  const std::vector<torch::Tensor> first = Grads(net);
  gradients.Compute(batch.x, batch.y, 0.01, kDecay);
  const std::vector<torch::Tensor> second = Grads(net);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_TRUE(torch::equal(first[i], second[i])) << i;
}

TEST(GaussianEnsembleGradientsTest, SameBitsForEveryThreadCount) {
  GaussianEnsemble net = MakeNet();
  const Batch batch = MakeBatch(64);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const std::vector<torch::Tensor> serial = HandGrads(net, batch, 0.01);
  at::set_num_threads(3);
  const std::vector<torch::Tensor> parallel = HandGrads(net, batch, 0.01);
  at::set_num_threads(threads);
  for (size_t i = 0; i < serial.size(); ++i) {
    EXPECT_TRUE(torch::equal(serial[i], parallel[i])) << "parameter " << i;
  }
}

TEST(GaussianEnsembleGradientsTest, RejectsBatchesLargerThanItsBuffers) {
  GaussianEnsemble net = MakeNet();
  const Batch batch = MakeBatch(17);
  GaussianEnsembleGradients gradients(*net, /*max_batch=*/16);
  EXPECT_THROW(gradients.Compute(batch.x, batch.y, 0.01, kDecay), c10::Error);
}

}  // namespace
}  // namespace romi::learners
