#include "learners/nn/fused_adam.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <memory>
#include <string>

namespace romi::learners {
namespace {

struct AdamScalars {
  float b1, b2, c1, c2;  // betas and 1 - betas
  float bias_correction2_sqrt, eps, step_size;
};

// One element range of the update. Restrict pointers and no errno let it vectorize; the clones
// pick the widest vector unit the CPU has at run time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void AdamRange(
    float* __restrict param, const float* __restrict grad, float* __restrict m, float* __restrict v,
    int64_t begin, int64_t end, const AdamScalars& s) {
  for (int64_t i = begin; i < end; ++i) {
    const float g = grad[i];
    const float mi = m[i] * s.b1 + g * s.c1;
    const float vi = v[i] * s.b2 + g * g * s.c2;
    m[i] = mi;
    v[i] = vi;
    param[i] -= s.step_size * (mi / (std::sqrt(vi) / s.bias_correction2_sqrt + s.eps));
  }
}

bool Fusable(const torch::Tensor& tensor) {
  return tensor.device().is_cpu() && tensor.scalar_type() == torch::kFloat &&
         tensor.is_contiguous();
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
  for (const torch::optim::OptimizerParamGroup& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    if (options.amsgrad() || options.weight_decay() != 0) return torch::optim::Adam::step(closure);
    for (const torch::Tensor& p : group.params()) {
      if (p.grad().defined() && !(Fusable(p) && Fusable(p.grad()))) {
        return torch::optim::Adam::step(closure);
      }
    }
  }
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  torch::NoGradGuard no_grad;
  for (torch::optim::OptimizerParamGroup& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      // The state keyed as torch::optim::Adam keys it, so checkpoints stay interchangeable.
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
      std::unique_ptr<torch::optim::OptimizerParamState>& slot = state_[key];
      if (slot == nullptr) {
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        slot = std::move(state);
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*slot);
      state.step(state.step() + 1);
      const double beta1 = std::get<0>(options.betas());
      const double beta2 = std::get<1>(options.betas());
      AdamScalars scalars;
      scalars.b1 = static_cast<float>(beta1);
      scalars.b2 = static_cast<float>(beta2);
      scalars.c1 = static_cast<float>(1 - beta1);
      scalars.c2 = static_cast<float>(1 - beta2);
      scalars.bias_correction2_sqrt =
          static_cast<float>(std::sqrt(1 - std::pow(beta2, state.step())));
      scalars.eps = static_cast<float>(options.eps());
      scalars.step_size = static_cast<float>(options.lr() / (1 - std::pow(beta1, state.step())));
      float* param = p.data_ptr<float>();
      const float* grad = p.grad().data_ptr<float>();
      float* m = state.exp_avg().data_ptr<float>();
      float* v = state.exp_avg_sq().data_ptr<float>();
      at::parallel_for(0, p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
        AdamRange(param, grad, m, v, begin, end, scalars);
      });
    }
  }
  return loss;
}

}  // namespace romi::learners
