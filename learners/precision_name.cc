#include "learners/precision_name.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace romi::learners {

absl::StatusOr<Precision> ParsePrecision(const std::string& name) {
  std::vector<std::string> valid;
  for (int value = Precision_MIN; value <= Precision_MAX; ++value) {
    if (!Precision_IsValid(value)) continue;
    valid.push_back(PrecisionFlagName(static_cast<Precision>(value)));
    if (valid.back() == name) return static_cast<Precision>(value);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("precision '", name, "' is none of ", absl::StrJoin(valid, ", ")));
}

std::string PrecisionFlagName(Precision precision) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(Precision_Name(precision)), {{"_", "-"}});
}

}  // namespace romi::learners
