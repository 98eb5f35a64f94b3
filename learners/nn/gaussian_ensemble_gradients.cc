#include "learners/nn/gaussian_ensemble_gradients.h"

#include <ATen/Parallel.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "learners/nn/precision.h"

// The Fortran BLAS entry point of libblas.so.3 (OpenBLAS here, see third_party/BUILD).
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c, const int* ldc);

namespace romi::learners {
namespace {

// Row-major C [m, n] = op(A) op(B) + beta C with op(A) [m, k] and op(B) [k, n]; ld* are the row
// lengths of the stored matrices. Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T,
// so BLAS gets the operands swapped.
void Gemm(bool transpose_a, bool transpose_b, int m, int n, int k, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  const char trans_a = transpose_a ? 'T' : 'N';
  const char trans_b = transpose_b ? 'T' : 'N';
  const float one = 1.0f;
  sgemm_(&trans_b, &trans_a, &n, &m, &k, &one, b, &ldb, a, &lda, &beta, c, &ldc);
}

// e^x in float without branches or library calls, so that the loops below vectorize (with
// -fno-trapping-math, see BUILD): x = n ln2 + r with n = round(x / ln2) (adding and subtracting
// 1.5 * 2^23 rounds to an integer), |r| <= ln2 / 2 (ln2 split in two for an exact n ln2), e^r by
// its Taylor series to r^7 (relative error < 1e-8, below float's rounding), 2^n from the exponent
// bits. x is clamped to where e^x is a normal float.
inline float Exp(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  constexpr float kRoundingShift = 12582912.0f;
  const float n = (x * 1.44269504088896341f + kRoundingShift) - kRoundingShift;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

// z[b, j] += bias[j]; s = sigmoid(z); a = z s (swish), for `rows` rows of width `width`.
__attribute__((target_clones("avx512f", "avx2", "default"))) void BiasSwish(
    float* __restrict z, float* __restrict s, float* __restrict a, const float* __restrict bias,
    int64_t rows, int64_t width) {
  for (int64_t b = 0; b < rows; ++b) {
    float* zb = z + b * width;
    float* sb = s + b * width;
    float* ab = a + b * width;
    for (int64_t j = 0; j < width; ++j) {
      const float value = zb[j] + bias[j];
      const float sigmoid = 1.0f / (1.0f + Exp(-value));
      zb[j] = value;
      sb[j] = sigmoid;
      ab[j] = value * sigmoid;
    }
  }
}

// d[i] *= swish'(z) = s + a (1 - s), with s = sigmoid(z) and a = z s from the forward pass.
__attribute__((target_clones("avx512f", "avx2", "default"))) void SwishBackward(
    float* __restrict d, const float* __restrict s, const float* __restrict a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] *= s[i] + a[i] * (1.0f - s[i]);
}

// grad[i] += decay * weight[i].
__attribute__((target_clones("avx512f", "avx2", "default"))) void AddScaled(
    float* __restrict grad, const float* __restrict weight, float decay, int64_t n) {
  for (int64_t i = 0; i < n; ++i) grad[i] += decay * weight[i];
}

// out[j] = sum over rows of d[b, j].
void ColumnSums(const float* d, int64_t rows, int64_t width, float* out) {
  std::fill(out, out + width, 0.0f);
  for (int64_t b = 0; b < rows; ++b) {
    for (int64_t j = 0; j < width; ++j) out[j] += d[b * width + j];
  }
}

// torch::softplus (beta 1, threshold 20) and its derivative.
inline float Softplus(float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); }
inline float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Flushes denormal results and inputs to zero on this thread while in scope. The vectorized
// swish evaluates both sides of its clamps and blends them, and the clamped side multiplies a
// near-zero activation by e^-88, a denormal: without this every such element takes a microcode
// assist (measured: 6 ns instead of 0.7 ns per element, a third of the step). Values that small
// carry no information for the loss; oneDNN and TensorFlow run with the same flags.
class FlushDenormalsScope {
 public:
  FlushDenormalsScope() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  }
  ~FlushDenormalsScope() { _mm_setcsr(saved_); }
  FlushDenormalsScope(const FlushDenormalsScope&) = delete;
  FlushDenormalsScope& operator=(const FlushDenormalsScope&) = delete;

 private:
  static constexpr unsigned kFlushToZero = 0x8000;
  static constexpr unsigned kDenormalsAreZero = 0x0040;
  unsigned saved_;
};

bool Fp32Cpu(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

torch::Tensor& GradOf(const torch::Tensor& parameter) {
  torch::Tensor& grad = const_cast<torch::Tensor&>(parameter).mutable_grad();
  if (!grad.defined()) grad = torch::zeros_like(parameter);
  return grad;
}

}  // namespace

torch::Tensor GaussianEnsembleLoss(GaussianEnsembleImpl& net, const torch::Tensor& x,
                                   const torch::Tensor& y, double logvar_bound_penalty,
                                   const std::vector<double>& weight_decay) {
  const GaussianOutput out = net.forward(x);
  torch::Tensor loss =
      ((out.mean - y).pow(2) * torch::exp(-out.log_var) + out.log_var).mean({1, 2}).sum();
  loss = loss + logvar_bound_penalty * (net.max_log_var.sum() - net.min_log_var.sum());
  for (size_t l = 0; l < net.layers().size(); ++l) {
    loss = loss + weight_decay[l] * 0.5 * net.layers()[l]->weight.pow(2).sum();
  }
  return loss;
}

bool GaussianEnsembleGradients::Supported(const GaussianEnsembleImpl& net) {
  if (MatmulDtype() != torch::kFloat) return false;
  for (const torch::Tensor& p : net.parameters()) {
    if (!Fp32Cpu(p)) return false;
  }
  return true;
}

GaussianEnsembleGradients::GaussianEnsembleGradients(GaussianEnsembleImpl& net, int64_t max_batch)
    : net_(net), max_batch_(max_batch) {
  const int64_t members = net.members();
  widths_.push_back(net.layers().front()->weight.size(1));
  for (const EnsembleLinear& layer : net.layers()) widths_.push_back(layer->weight.size(2));
  const int64_t max_width = *std::max_element(widths_.begin(), widths_.end());
  for (size_t l = 0; l < net.layers().size(); ++l) {
    const int64_t width = widths_[l + 1];
    pre_.push_back(torch::empty({members, max_batch, width}));
    if (l + 1 < net.layers().size()) {
      sigmoid_.push_back(torch::empty({members, max_batch, width}));
      activation_.push_back(torch::empty({members, max_batch, width}));
    }
  }
  delta_ = torch::empty({members, max_batch, max_width});
  delta_next_ = torch::empty({members, max_batch, max_width});
  bound_partials_.assign(members * 2 * net.output_size(), 0.0);
  member_nll_.assign(members, 0.0);
}

double GaussianEnsembleGradients::Compute(const torch::Tensor& x, const torch::Tensor& y,
                                          double logvar_bound_penalty,
                                          const std::vector<double>& weight_decay) {
  const int64_t members = net_.members();
  const int64_t batch = x.size(1);
  const int64_t outputs = net_.output_size();
  const size_t layers = net_.layers().size();
  TORCH_CHECK(batch <= max_batch_ && x.size(0) == members && Fp32Cpu(x) && Fp32Cpu(y) &&
                  x.size(2) == widths_[0] && y.size(1) == batch && y.size(2) == outputs,
              "GaussianEnsembleGradients: bad batch shapes");
  TORCH_CHECK(weight_decay.size() == layers, "GaussianEnsembleGradients: one decay per layer");
  std::vector<const float*> weights, biases;
  std::vector<float*> weight_grads, bias_grads;
  for (const EnsembleLinear& layer : net_.layers()) {
    weights.push_back(layer->weight.data_ptr<float>());
    biases.push_back(layer->bias.data_ptr<float>());
    weight_grads.push_back(GradOf(layer->weight).data_ptr<float>());
    bias_grads.push_back(GradOf(layer->bias).data_ptr<float>());
  }
  const float* max_log_var = net_.max_log_var.data_ptr<float>();
  const float* min_log_var = net_.min_log_var.data_ptr<float>();
  const int64_t max_width = delta_.size(2);
  const float inverse_count = 1.0f / static_cast<float>(batch * outputs);

  auto member_pass = [&](int64_t e) {
    // Forward: z_l = a_l W_l + b_l, a_{l+1} = swish(z_l).
    const float* input = x.data_ptr<float>() + e * batch * widths_[0];
    for (size_t l = 0; l < layers; ++l) {
      const int in = static_cast<int>(widths_[l]);
      const int out = static_cast<int>(widths_[l + 1]);
      const float* a = l == 0 ? input : activation_[l - 1].data_ptr<float>() + e * max_batch_ * in;
      float* z = pre_[l].data_ptr<float>() + e * max_batch_ * out;
      Gemm(false, false, static_cast<int>(batch), out, in, a, in, weights[l] + e * in * out, out,
           0.0f, z, out);
      const float* bias = biases[l] + e * out;
      if (l + 1 < layers) {
        BiasSwish(z, sigmoid_[l].data_ptr<float>() + e * max_batch_ * out,
                  activation_[l].data_ptr<float>() + e * max_batch_ * out, bias, batch, out);
      } else {
        for (int64_t b = 0; b < batch; ++b) {
          for (int j = 0; j < out; ++j) z[b * out + j] += bias[j];
        }
      }
    }
    // The loss and d loss / d heads, with the log-variance's soft bounds.
    const float* heads = pre_[layers - 1].data_ptr<float>() + e * max_batch_ * 2 * outputs;
    const float* target = y.data_ptr<float>() + e * batch * outputs;
    float* delta = delta_.data_ptr<float>() + e * max_batch_ * max_width;
    double* max_partial = bound_partials_.data() + e * 2 * outputs;
    double* min_partial = max_partial + outputs;
    std::fill(max_partial, max_partial + 2 * outputs, 0.0);
    double nll = 0;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t d = 0; d < outputs; ++d) {
        const float mean = heads[b * 2 * outputs + d];
        const float raw = heads[b * 2 * outputs + outputs + d];
        const float upper = max_log_var[d] - raw;
        const float bounded_above = max_log_var[d] - Softplus(upper);
        const float lower = bounded_above - min_log_var[d];
        const float log_var = min_log_var[d] + Softplus(lower);
        const float diff = mean - target[b * outputs + d];
        const float precision = std::exp(-log_var);
        const float weighted = diff * diff * precision;
        nll += weighted + log_var;
        const float d_log_var = (1.0f - weighted) * inverse_count;
        const float s_upper = Sigmoid(upper);
        const float s_lower = Sigmoid(lower);
        delta[b * 2 * outputs + d] = 2.0f * diff * precision * inverse_count;
        delta[b * 2 * outputs + outputs + d] = d_log_var * s_lower * s_upper;
        max_partial[d] += d_log_var * s_lower * (1.0f - s_upper);
        min_partial[d] += d_log_var * (1.0f - s_lower);
      }
    }
    member_nll_[e] = nll * inverse_count;
    // Backward, heads first: dW_l = a_l^T delta + decay W_l, db_l = column sums of delta,
    // delta_{l-1} = (delta W_l^T) * swish'(z_{l-1}).
    float* next = delta_next_.data_ptr<float>() + e * max_batch_ * max_width;
    for (size_t l = layers; l-- > 0;) {
      const int in = static_cast<int>(widths_[l]);
      const int out = static_cast<int>(widths_[l + 1]);
      const float* a = l == 0 ? input : activation_[l - 1].data_ptr<float>() + e * max_batch_ * in;
      const float* weight = weights[l] + e * in * out;
      float* weight_grad = weight_grads[l] + e * in * out;
      Gemm(true, false, in, out, static_cast<int>(batch), a, in, delta, out, 0.0f, weight_grad,
           out);
      AddScaled(weight_grad, weight, static_cast<float>(weight_decay[l]),
                static_cast<int64_t>(in) * out);
      ColumnSums(delta, batch, out, bias_grads[l] + e * out);
      if (l == 0) break;
      Gemm(false, true, static_cast<int>(batch), in, out, delta, out, weight, out, 0.0f, next, in);
      SwishBackward(next, sigmoid_[l - 1].data_ptr<float>() + e * max_batch_ * in,
                    activation_[l - 1].data_ptr<float>() + e * max_batch_ * in, batch * in);
      std::swap(delta, next);
    }
  };
  at::parallel_for(0, members, 1, [&](int64_t begin, int64_t end) {
    const FlushDenormalsScope flush_denormals;
    for (int64_t e = begin; e < end; ++e) member_pass(e);
  });

  // The shared bounds: member partials summed in member order (the same for every thread count).
  float* max_grad = GradOf(net_.max_log_var).data_ptr<float>();
  float* min_grad = GradOf(net_.min_log_var).data_ptr<float>();
  double nll = 0;
  for (int64_t d = 0; d < outputs; ++d) {
    double upper = logvar_bound_penalty, lower = -logvar_bound_penalty;
    for (int64_t e = 0; e < members; ++e) {
      upper += bound_partials_[e * 2 * outputs + d];
      lower += bound_partials_[e * 2 * outputs + outputs + d];
    }
    max_grad[d] = static_cast<float>(upper);
    min_grad[d] = static_cast<float>(lower);
  }
  for (int64_t e = 0; e < members; ++e) nll += member_nll_[e];
  return nll;
}

}  // namespace romi::learners
