#include "base/stats.h"

#include <cmath>

namespace romi {

MeanStd PopulationMeanStd(absl::Span<const double> values) {
  MeanStd out;
  if (values.empty()) return out;
  double sum = 0;
  for (const double v : values) sum += v;
  out.mean = sum / values.size();
  double squares = 0;
  for (const double v : values) squares += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(squares / values.size());
  return out;
}

}  // namespace romi
