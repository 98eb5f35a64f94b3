// Summary statistics over a sample, one definition for every report in the project.
#ifndef ROMI_BASE_STATS_H_
#define ROMI_BASE_STATS_H_

#include "absl/types/span.h"

namespace romi {

struct MeanStd {
  double mean = 0;
  double std = 0;
};

// The mean and the population standard deviation (divided by n, not n - 1: what D4RL, the paper
// and our reports quote as "mean ± std") of `values`; {0, 0} when there are none.
MeanStd PopulationMeanStd(absl::Span<const double> values);

}  // namespace romi

#endif  // ROMI_BASE_STATS_H_
