// The ROMI pipeline: Algorithm 1 as resumable stages in a run directory.
//
//   1. dynamics        train the (reverse, or forward for FOMI) dynamics ensemble -> dynamics.pt
//   2. rollout_policy  train the rollout policy G                                 ->
//   rollout_policy.pt
//   3. imagination     fill the model buffer once                                  ->
//   model_buffer.pt
//   4. learner         train the offline learner on mixed real/imagined batches    -> learner.pt
// Stages 1-3 are skipped for model-free runs (RunConfig.use_model = false).
//
// Every artifact is written atomically when its stage completes, so a run that dies resumes at the
// first unfinished stage, and inside stage 4 at the learner's last checkpoint. Each stage seeds its
// own randomness from (seed, stage), and the batch sampler is reseeded from (seed, step) at every
// checkpoint boundary: a resumed run reproduces an uninterrupted one bit for bit (for a fixed
// thread count). The resolved config is written to config.textproto; rerunning a directory with a
// different config is an error rather than a silent mix of two experiments.
#ifndef ROMI_ROMI_PIPELINE_H_
#define ROMI_ROMI_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "envs/termination.h"
#include "learners/learner.h"
#include "romi/pipeline.pb.h"

namespace romi {

struct PipelineHooks {
  // Progress lines, e.g. for a progress bar: (stage, message).
  std::function<void(const std::string&, const std::string&)> log;
  // Progress within a stage, e.g. for a progress bar with an ETA: (stage, done, total). `total` is
  // 0 where it is not known in advance (model training stops early).
  std::function<void(const std::string&, int64_t, int64_t)> progress;
  // After every learner checkpoint (each checkpoint_every steps and at the end); e.g. evaluation.
  // Runs before the checkpoint is written; a non-OK status stops the run, which returns it (a
  // rerun repeats that checkpoint and its hook). Not called again for checkpoints that a resumed
  // run had already passed.
  std::function<absl::Status(int64_t step, learners::Learner& learner)> on_checkpoint;
  // Scalar curves, e.g. for TensorBoard (tag, step, value): "dynamics/holdout_mse" (the members'
  // mean) and "dynamics/holdout_mse_best" per epoch, "rollout_policy/loss" as it is reported, and
  // "learner/<metric>" for every learner metric at every checkpoint. A non-OK status stops the run.
  std::function<absl::Status(const std::string& tag, int64_t step, double value)> scalar;
};

// Simulated crashes, for tests of resumption: the run returns CancelledError right after this
// stage completes ("dynamics", "rollout_policy", "imagination"), after the dynamics training's
// checkpoint of this epoch, or after the learner checkpoint at this step.
struct PipelineFaults {
  std::string stop_after_stage;
  int stop_after_dynamics_epoch = -1;
  int64_t stop_after_learner_step = -1;
};

// `termination` is the task's rule (envs/termination.h); actions lie in [-max_action, max_action].
//
// `shared_stage_dir`, when not empty, is a directory that runs share (base/shared_file.h): each
// model stage's output (dynamics.pt, rollout_policy.pt, model_buffer.pt) is made there once per
// identity (the dataset's content, the stage's settings and everything before it, the seed, the
// torch thread count) and linked into the run directory. Runs that would make the same file
// (romi-bcq and romi-cql, romi-rbc-bcq, the rollout-length variants of one task and seed) make it
// once, and the others wait for it. A run's result is the same with or without sharing.
absl::StatusOr<std::unique_ptr<learners::Learner>> RunPipeline(
    const data::Dataset& dataset, const envs::TerminationFn& termination, double max_action,
    const RunConfig& config, const std::string& run_dir, const PipelineHooks& hooks = {},
    const PipelineFaults& faults = {}, const std::string& shared_stage_dir = "");

// OK when `run_dir` holds no config.textproto or one made with `config`'s settings (learner_steps
// aside: a horizon, not part of the experiment); FailedPrecondition naming the file and showing
// its settings otherwise. What a finished run read back without training is checked with.
absl::Status CheckRunConfig(const RunConfig& config, const std::string& run_dir);

// `config` with every unset singular field of it and its sub-messages filled with defaults, and
// the learner's and the rollout policy's empty network-width lists with theirs
// (learners::FillDefaultWidths, FillDefaultWidths in rollout_policy_registry.h). Idempotent:
// a resolved config resolves to itself.
RunConfig ResolveDefaults(const RunConfig& config);

// A transition table as a LibTorch archive: the run directory's model_buffer.pt. Loading checks
// every column's shape against the dataset's widths (DataLossError naming the file otherwise).
absl::Status SaveTransitions(const data::Transitions& table, const std::string& path);
absl::StatusOr<data::Transitions> LoadTransitions(const std::string& path, int64_t obs_dim,
                                                  int64_t act_dim);

}  // namespace romi

#endif  // ROMI_ROMI_PIPELINE_H_
