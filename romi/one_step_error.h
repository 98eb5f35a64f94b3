// The paper's Table 5 measurement: the one-step error of a dynamics ensemble on transitions it
// never trained on, the same way for both directions, so forward and reverse models compare on
// the same data, architecture, budget and seed.
#ifndef ROMI_ROMI_ONE_STEP_ERROR_H_
#define ROMI_ROMI_ONE_STEP_ERROR_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "data/transitions.h"
#include "romi/dynamics.pb.h"
#include "romi/dynamics_ensemble.h"

namespace romi {

// A seeded split of a dataset into the rows models train on and the rows they are tested on.
struct TrainTestSplit {
  data::Transitions train;
  data::Transitions test;
};
// `test_fraction` of the rows (at least one), drawn uniformly without replacement; the split
// depends only on the row count, the fraction and `seed`. InvalidArgument for a fraction outside
// (0, 1) or fewer than two rows.
absl::StatusOr<TrainTestSplit> SplitTransitions(const data::Transitions& data, double test_fraction,
                                                uint64_t seed);

struct OneStepError {
  // Mean over the elites of each one's mean-prediction MSE on the test rows, in the model's
  // target space [r, other state - known state] (unnormalized): what imagination samples from.
  double test_mse = 0;
  // The elites' mean test MSE per target dimension: reward, then each state dimension.
  std::vector<double> test_mse_per_dimension;
  // The same over the elites on the training's own hold-out (min(20 %, 1000) of `train`).
  double holdout_mse = 0;
  DynamicsTrainingSummary training;
  std::unique_ptr<DynamicsEnsemble> model;  // the trained ensemble
};

// Trains an ensemble of `config` (its direction included) on split.train with `seed` and
// measures it; `options` make the training resumable (DynamicsTrainingOptions).
absl::StatusOr<OneStepError> MeasureOneStepError(const TrainTestSplit& split,
                                                 const DynamicsConfig& config, uint64_t seed,
                                                 const DynamicsTrainingOptions& options = {});

}  // namespace romi

#endif  // ROMI_ROMI_ONE_STEP_ERROR_H_
