// Does a trained critic over- or underestimate what its own policy earns? For a run's learner
// (learner.pt beside its config.textproto), runs the final evaluation's episodes (the same start
// states and acting noise as the suite's final evaluation, eval/evaluation_protocol.h) and
// compares, per episode, the critic's Q(s_0, a_0) with the discounted return the policy then
// collects, sum_t gamma^t r_t, gamma the learner's own discount.
//
// Runs made by a suite that records the same means at every evaluation (Evaluation.q_start_mean
// and discounted_return_mean, the "Q(s0,a0) − return" column of results.md) need the tool only for
// the spread over episodes; it measures runs made before those fields existed.
//
// A return is cut where its episode ends. At a time limit the critic bootstraps on (timeouts are
// not terminal), so the cut return misses up to gamma^T * max V: the tool prints that bound, the
// same for every run of a task, so runs compare like with like even where it is not small.
//
//   bazel run //eval:q_calibration -- --run_dir=<suite out>/runs/<task>/<method>/seed<k> \
//       [--run_dir=... more runs] [--episodes=100]
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "envs/registry.h"
#include "eval/evaluation_protocol.h"
#include "eval/evaluator.h"
#include "eval/suite.pb.h"
#include "learners/learner.h"
#include "learners/learner_registry.h"
#include "romi/pipeline.pb.h"

ABSL_FLAG(std::vector<std::string>, run_dir, {},
          "Run directories (comma-separated), each with config.textproto and learner.pt.");
ABSL_FLAG(int, episodes, 100, "Episodes per run (the final evaluation's starts: first N).");

namespace romi::eval {
namespace {

absl::Status Calibrate(const std::string& run_dir, int episodes) {
  RunConfig config;
  ROMI_RETURN_IF_ERROR(ReadTextProto(run_dir + "/config.textproto", &config));
  ROMI_ASSIGN_OR_RETURN(const envs::EnvSpec spec, envs::FindSpec(config.task()));
  const std::optional<double> discount = learners::CriticDiscount(config.learner());
  if (!discount.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner '", config.learner().algorithm(), "' has no critic to calibrate"));
  }
  learners::LearnerOptions options;
  options.obs_dim = spec.obs_dim;
  options.act_dim = spec.act_dim;
  options.max_action = spec.action_high.at(0);
  options.config = config.learner();
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                        learners::LearnerRegistry::Create(options));
  ROMI_RETURN_IF_ERROR(learner->Load(run_dir + "/learner.pt"));

  Budget budget;
  budget.set_final_eval_episodes(episodes);
  EvaluationOptions evaluation = FinalEvaluation(budget, config.seed(), /*threads=*/1);
  evaluation.record_states = false;
  evaluation.discount = *discount;
  learner->ReseedActing(evaluation.seed);
  ROMI_ASSIGN_OR_RETURN(
      const EvaluationReport report,
      Evaluate(
          config.task(), [&](const torch::Tensor& obs) { return learner->Act(obs, true); },
          evaluation));
  const std::optional<StartValueCalibration> calibration = CalibrateStartValues(
      report,
      [&](const torch::Tensor& obs, const torch::Tensor& act) { return learner->Value(obs, act); });
  if (!calibration.has_value()) return absl::InvalidArgumentError("the learner has no critic");
  std::printf(
      "%s (%s, step %lld, gamma %.3g): Q(s0,a0) %.2f +- %.2f, discounted return %.2f +- "
      "%.2f, Q - return %+.2f +- %.2f over %d episodes; cut at %d steps: return misses at "
      "most gamma^T * max V = %.3g * max V; score %.1f\n",
      run_dir.c_str(), config.task().c_str(), static_cast<long long>(learner->step()), *discount,
      calibration->q.mean, calibration->q.std, calibration->discounted_return.mean,
      calibration->discounted_return.std, calibration->gap.mean, calibration->gap.std, episodes,
      spec.max_episode_steps, std::pow(*discount, spec.max_episode_steps), report.ScoreMean());
  return absl::OkStatus();
}

}  // namespace
}  // namespace romi::eval

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  torch::set_num_threads(1);
  const std::vector<std::string> runs = absl::GetFlag(FLAGS_run_dir);
  if (runs.empty()) {
    std::fprintf(stderr, "q_calibration: give --run_dir=<run directory>[,<another>...]\n");
    return 2;
  }
  int failures = 0;
  for (const std::string& run : runs) {
    const absl::Status status = romi::eval::Calibrate(run, absl::GetFlag(FLAGS_episodes));
    if (!status.ok()) {
      std::fprintf(stderr, "%s: %s\n", run.c_str(), status.ToString().c_str());
      ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
