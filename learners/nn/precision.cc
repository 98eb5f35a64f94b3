#include "learners/nn/precision.h"

namespace romi::learners {
namespace {

thread_local Precision current_precision = FP32;

}  // namespace

ScopedPrecision::ScopedPrecision(Precision precision) : previous_(current_precision) {
  current_precision = precision;
}

ScopedPrecision::~ScopedPrecision() { current_precision = previous_; }

Precision CurrentPrecision() { return current_precision; }

torch::ScalarType MatmulDtype(NetworkKind kind) {
  switch (current_precision) {
    case BF16:
      return torch::kBFloat16;
    case BF16_POLICY:
      return kind == NetworkKind::kCritic ? torch::kFloat : torch::kBFloat16;
    default:
      return torch::kFloat;
  }
}

}  // namespace romi::learners
