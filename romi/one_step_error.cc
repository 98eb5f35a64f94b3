#include "romi/one_step_error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace romi {

absl::StatusOr<TrainTestSplit> SplitTransitions(const data::Transitions& data, double test_fraction,
                                                uint64_t seed) {
  const int64_t rows = data.size();
  if (!(test_fraction > 0 && test_fraction < 1) || rows < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot hold out a fraction ", test_fraction, " of ", rows, " transitions"));
  }
  const int64_t test_rows =
      std::clamp<int64_t>(static_cast<int64_t>(test_fraction * rows), 1, rows - 1);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor order = torch::randperm(rows, generator, torch::kInt64);
  return TrainTestSplit{data.Select(order.slice(0, test_rows)),
                        data.Select(order.slice(0, 0, test_rows))};
}

absl::StatusOr<OneStepError> MeasureOneStepError(const TrainTestSplit& split,
                                                 const DynamicsConfig& config, uint64_t seed,
                                                 const DynamicsTrainingOptions& options) {
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<DynamicsEnsemble> model,
                        DynamicsEnsemble::Train(split.train, config, seed, options));
  const torch::Tensor elites = torch::tensor(model->elites(), torch::kInt64);
  // Tested on the kind of rows it was trained on (DynamicsConfig.skip_terminals).
  const data::Transitions test = config.skip_terminals() ? split.test.NonTerminal() : split.test;
  OneStepError error;
  {
    torch::NoGradGuard no_grad;
    error.test_mse = model->EvaluateMse(test).index_select(0, elites).mean().item<double>();
    const torch::Tensor per_dimension = model->EvaluateMsePerDimension(test)
                                            .index_select(0, elites)
                                            .mean(0)
                                            .to(torch::kFloat64)
                                            .contiguous();
    error.test_mse_per_dimension.assign(per_dimension.data_ptr<double>(),
                                        per_dimension.data_ptr<double>() + per_dimension.numel());
  }
  for (const int64_t e : model->elites()) error.holdout_mse += model->holdout_mse()[e];
  error.holdout_mse /= static_cast<double>(model->elites().size());
  error.training = model->training_summary();
  error.model = std::move(model);
  return error;
}

}  // namespace romi
