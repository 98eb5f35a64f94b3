// FusedAdam against torch::optim::Adam: same trajectory, interchangeable state.
#include "learners/nn/fused_adam.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace romi::learners {
namespace {

// A few steps of `optimizer` on a quadratic of two parameters, from the same start.
std::vector<torch::Tensor> Descend(torch::optim::Optimizer& optimizer,
                                   std::vector<torch::Tensor> params, int steps) {
  for (int step = 0; step < steps; ++step) {
    for (torch::Tensor& p : params) p.mutable_grad().reset();
    torch::Tensor loss = torch::zeros({});
    for (const torch::Tensor& p : params) loss = loss + (p - 0.5).square().sum() * (step + 1);
    loss.backward();
    optimizer.step();
  }
  return params;
}

std::vector<torch::Tensor> Start() {
  torch::manual_seed(0);
  return {torch::randn({70000}).requires_grad_(), torch::randn({3, 5}).requires_grad_()};
}

TEST(FusedAdamTest, FollowsTorchAdam) {
  const torch::optim::AdamOptions options(1e-2);
  std::vector<torch::Tensor> a = Start();
  std::vector<torch::Tensor> b = Start();
  torch::optim::Adam adam(a, options);
  FusedAdam fused(b, options);
  Descend(adam, a, 20);
  Descend(fused, b, 20);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-6)) << "parameter " << i;
  }
}

TEST(FusedAdamTest, StateIsInterchangeableWithTorchAdam) {
  const std::string path = ::testing::TempDir() + "/fused_adam.pt";
  const torch::optim::AdamOptions options(1e-2);
  std::vector<torch::Tensor> a = Start();
  FusedAdam fused(a, options);
  Descend(fused, a, 5);
  torch::save(fused, path);
  std::vector<torch::Tensor> b;
  for (const torch::Tensor& p : a) b.push_back(p.detach().clone().requires_grad_());
  torch::optim::Adam adam(b, options);
  torch::load(adam, path);
  Descend(fused, a, 5);
  Descend(adam, b, 5);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-6)) << "parameter " << i;
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace romi::learners
