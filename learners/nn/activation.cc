#include "learners/nn/activation.h"

#include "absl/strings/str_cat.h"

namespace romi::learners {

absl::StatusOr<Activation> ParseActivation(const std::string& name) {
  if (name == "identity") return Activation::kIdentity;
  if (name == "relu") return Activation::kRelu;
  if (name == "swish") return Activation::kSwish;
  if (name == "tanh") return Activation::kTanh;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown activation '", name, "' (valid: identity, relu, swish, tanh)"));
}

}  // namespace romi::learners
