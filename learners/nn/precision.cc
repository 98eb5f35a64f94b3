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

torch::ScalarType MatmulDtype() {
  return current_precision == BF16 ? torch::kBFloat16 : torch::kFloat;
}

}  // namespace romi::learners
