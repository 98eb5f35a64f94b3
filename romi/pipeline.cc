#include "romi/pipeline.h"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/atomic_file.h"
#include "base/seeds.h"
#include "base/shared_file.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "data/batch_sampler.h"
#include "data/fingerprint.h"
#include "data/index_distribution.h"
#include "data/return_priority.h"
#include "learners/learner_registry.h"
#include "learners/nn/archive_io.h"
#include "romi/dynamics_ensemble.h"
#include "romi/imagination.h"
#include "romi/rollout_policy_registry.h"

namespace romi {
namespace {

namespace fs = std::filesystem;

// Stage numbers for seed derivation; never reorder (runs would change).
enum Stage : uint64_t { kDynamicsStage = 1, kRolloutPolicyStage, kImaginationStage, kLearnerStage };

uint64_t StageSeed(uint64_t seed, Stage stage, uint64_t step = 0) {
  return seeds::Stream(seed, stage, step);
}

torch::Generator Generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

// What of a run's config must agree between a run directory and a run asked of it: everything
// resolved, except learner_steps: it is a horizon, not part of the experiment (nothing before the
// last step depends on it), so a finished run can be extended to more steps and reproduces the
// longer run bit for bit.
void ComparableRunConfig(google::protobuf::Message* message) {
  auto* config = static_cast<RunConfig*>(message);
  *config = ResolveDefaults(*config);
  config->clear_learner_steps();
}

// Writes the resolved config beside the outputs, or checks that a directory being resumed was
// started with the same one; the file then records the new horizon.
absl::Status WriteOrCheckRunConfig(const RunConfig& resolved, const std::string& run_dir) {
  return WriteOrCheckConfig(resolved, (fs::path(run_dir) / "config.textproto").string(),
                            ComparableRunConfig);
}

struct Stopper {
  const PipelineFaults& faults;
  absl::Status After(const std::string& stage) const {
    if (faults.stop_after_stage == stage) {
      return absl::CancelledError(absl::StrCat("stopped after stage ", stage, " (test hook)"));
    }
    return absl::OkStatus();
  }
};

class Pipeline {
 public:
  Pipeline(const data::Dataset& dataset, const envs::TerminationFn& termination, double max_action,
           RunConfig config, std::string run_dir, const PipelineHooks& hooks,
           const PipelineFaults& faults, std::string shared_stage_dir)
      : dataset_(dataset),
        termination_(termination),
        max_action_(max_action),
        config_(std::move(config)),
        run_dir_(std::move(run_dir)),
        hooks_(hooks),
        faults_(faults),
        shared_stage_dir_(std::move(shared_stage_dir)) {}

  absl::StatusOr<std::unique_ptr<learners::Learner>> Run() {
    if (dataset_.size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("dataset ", dataset_.summary().source, " has no transitions"));
    }
    ROMI_RETURN_IF_ERROR(CreateDirectories(run_dir_));
    ROMI_RETURN_IF_ERROR(WriteOrCheckRunConfig(config_, run_dir_));
    // Every output in the directory was computed from the data: resuming on other data is an error.
    // (A directory from before this check gets its fingerprint at its first resume.)
    ROMI_RETURN_IF_ERROR(data::WriteOrCheckFingerprint(
        data::FingerprintOf(dataset_.transitions(), dataset_.summary().source),
        data::FingerprintPath(run_dir_)));
    const Stopper stop{faults_};

    data::Transitions model_buffer;
    if (config_.use_model() && !shared_stage_dir_.empty()) SetStageIdentities();
    if (config_.use_model()) {
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<DynamicsEnsemble> model, DynamicsStage());
      ROMI_RETURN_IF_ERROR(stop.After("dynamics"));
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<RolloutPolicy> policy, RolloutPolicyStage());
      ROMI_RETURN_IF_ERROR(stop.After("rollout_policy"));
      ROMI_ASSIGN_OR_RETURN(model_buffer, ImaginationStage(*model, *policy));
      ROMI_RETURN_IF_ERROR(stop.After("imagination"));
    }
    return LearnerStage(model_buffer);
  }

 private:
  // What each model stage's output is computed from, for the shared stage directory; each stage's
  // identity includes the ones before it.
  void SetStageIdentities() {
    const std::string common =
        absl::StrCat("|seed ", config_.seed(), "|threads ", torch::get_num_threads(), "|obs ",
                     dataset_.obs_dim(), "|act ", dataset_.act_dim(), "|max_action ",
                     absl::StrFormat("%.17g", max_action_), "|data ",
                     data::FingerprintTransitions(dataset_.transitions()));
    dynamics_identity_ =
        absl::StrCat("dynamics v1|", config_.dynamics().ShortDebugString(), common);
    rollout_policy_identity_ =
        absl::StrCat("rollout_policy v1|", config_.rollout_policy().ShortDebugString(),
                     "|direction ", Direction_Name(config_.dynamics().direction()), common);
    imagination_identity_ =
        absl::StrCat("imagination v1|", config_.imagination().ShortDebugString(), "|task ",
                     config_.task(), "\n", dynamics_identity_, "\n", rollout_policy_identity_);
  }

  std::string Path(const std::string& name) const { return (fs::path(run_dir_) / name).string(); }
  void Log(const std::string& stage, const std::string& message) const {
    if (hooks_.log) hooks_.log(stage, message);
  }
  void Progress(const std::string& stage, int64_t done, int64_t total) const {
    if (hooks_.progress) hooks_.progress(stage, done, total);
  }

  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> DynamicsStage() {
    const std::string path = Path("dynamics.pt");
    ROMI_RETURN_IF_ERROR(Share("dynamics", dynamics_identity_, path,
                               [this](const std::string& out, const std::string& work_dir) {
                                 return TrainDynamics(out, work_dir).status();
                               }));
    if (fs::exists(path)) {
      Log("dynamics", absl::StrCat("loaded ", path));
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<DynamicsEnsemble> model, DynamicsEnsemble::Load(path));
      if (model->obs_dim() != dataset_.obs_dim() || model->act_dim() != dataset_.act_dim() ||
          model->direction() != config_.dynamics().direction()) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, " was trained for other dimensions or another direction"));
      }
      return model;
    }
    return TrainDynamics(path, run_dir_);
  }

  // Trains the dynamics ensemble and saves it to `path`, checkpointing into `work_dir`.
  absl::StatusOr<std::unique_ptr<DynamicsEnsemble>> TrainDynamics(const std::string& path,
                                                                  const std::string& work_dir) {
    // Training is checkpointed every epoch: on 1e6 rows an epoch takes minutes and a training
    // hours, longer than a working period.
    const std::string checkpoint = (fs::path(work_dir) / "dynamics_training.pt").string();
    if (fs::exists(checkpoint)) Log("dynamics", absl::StrCat("resuming from ", checkpoint));
    Progress("dynamics", 0, config_.dynamics().max_epochs());  // starts the clock for the ETA
    DynamicsTrainingOptions options;
    options.checkpoint_path = checkpoint;
    options.progress = [this](const DynamicsEpoch& epoch) {
      Progress("dynamics", epoch.epoch, config_.dynamics().max_epochs());
      double best = epoch.holdout_mse.empty() ? 0 : epoch.holdout_mse[0];
      double sum = 0;
      for (double mse : epoch.holdout_mse) {
        best = std::min(best, mse);
        sum += mse;
      }
      ROMI_RETURN_IF_ERROR(Scalar("dynamics/holdout_mse", epoch.epoch,
                                  sum / std::max<size_t>(1, epoch.holdout_mse.size())));
      ROMI_RETURN_IF_ERROR(Scalar("dynamics/holdout_mse_best", epoch.epoch, best));
      Log("dynamics", absl::StrFormat("epoch %d, best hold-out MSE %.5g, %d epochs "
                                      "without improvement",
                                      epoch.epoch, best, epoch.epochs_without_improvement));
      return faults_.stop_after_dynamics_epoch == epoch.epoch
                 ? absl::CancelledError(
                       absl::StrCat("stopped after dynamics epoch ", epoch.epoch, " (test hook)"))
                 : absl::OkStatus();
    };
    ROMI_ASSIGN_OR_RETURN(
        std::unique_ptr<DynamicsEnsemble> model,
        DynamicsEnsemble::Train(dataset_.transitions(), config_.dynamics(),
                                StageSeed(config_.seed(), kDynamicsStage), options));
    ROMI_RETURN_IF_ERROR(model->Save(path));
    fs::remove(checkpoint);
    return model;
  }

  absl::StatusOr<std::unique_ptr<RolloutPolicy>> RolloutPolicyStage() {
    const std::string path = Path("rollout_policy.pt");
    ROMI_RETURN_IF_ERROR(Share("rollout_policy", rollout_policy_identity_, path,
                               [this](const std::string& out, const std::string& work_dir) {
                                 return TrainRolloutPolicy(out, work_dir).status();
                               }));
    if (fs::exists(path)) {
      ROMI_ASSIGN_OR_RETURN(std::unique_ptr<RolloutPolicy> policy, NewRolloutPolicy(run_dir_));
      Log("rollout_policy", absl::StrCat("loaded ", path));
      ROMI_RETURN_IF_ERROR(policy->Load(path));
      return policy;
    }
    return TrainRolloutPolicy(path, run_dir_);
  }

  // The run's rollout policy, untrained, with its training checkpointed into `work_dir`.
  absl::StatusOr<std::unique_ptr<RolloutPolicy>> NewRolloutPolicy(const std::string& work_dir) {
    RolloutPolicyOptions options;
    options.obs_dim = dataset_.obs_dim();
    options.act_dim = dataset_.act_dim();
    options.max_action = max_action_;
    options.direction = config_.dynamics().direction();
    options.config = config_.rollout_policy();
    // Training is checkpointed: the paper's 5e5 steps take longer than a working period.
    options.training_checkpoint = (fs::path(work_dir) / "rollout_policy_training.pt").string();
    // Module constructors draw initial weights from torch's global generator: seed it, so the
    // policy does not depend on what ran before in the process (e.g. a model trained or loaded).
    torch::manual_seed(StageSeed(config_.seed(), kRolloutPolicyStage));
    return CreateRolloutPolicy(options);
  }

  // Trains the rollout policy and saves it to `path`, checkpointing into `work_dir`.
  absl::StatusOr<std::unique_ptr<RolloutPolicy>> TrainRolloutPolicy(const std::string& path,
                                                                    const std::string& work_dir) {
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<RolloutPolicy> policy, NewRolloutPolicy(work_dir));
    torch::Generator generator = Generator(StageSeed(config_.seed(), kRolloutPolicyStage));
    const int64_t report_every = std::max<int64_t>(1, config_.rollout_policy().train_steps() / 20);
    Progress("rollout_policy", 0, config_.rollout_policy().train_steps());
    ROMI_RETURN_IF_ERROR(
        policy->Train(dataset_.transitions(), generator, [&](int64_t step, double loss) {
          if (step % report_every == 0) {
            Progress("rollout_policy", step, config_.rollout_policy().train_steps());
            Log("rollout_policy", absl::StrFormat("step %d / %d, loss %.5g", step,
                                                  config_.rollout_policy().train_steps(), loss));
            return Scalar("rollout_policy/loss", step, loss);
          }
          return absl::OkStatus();
        }));
    ROMI_RETURN_IF_ERROR(policy->Save(path));
    fs::remove(fs::path(work_dir) / "rollout_policy_training.pt");
    return policy;
  }

  data::IndexDistribution RealRowDistribution(bool return_priority) const {
    return return_priority ? data::ReturnPriorityDistribution(dataset_)
                           : data::IndexDistribution::Uniform(dataset_.size());
  }

  absl::StatusOr<data::Transitions> ImaginationStage(const DynamicsEnsemble& model,
                                                     RolloutPolicy& policy) {
    const std::string path = Path("model_buffer.pt");
    ROMI_RETURN_IF_ERROR(Share("imagination", imagination_identity_, path,
                               [&](const std::string& out, const std::string&) {
                                 return Imagination(model, policy, out).status();
                               }));
    if (fs::exists(path)) {
      Log("imagination", absl::StrCat("loaded ", path));
      return LoadTransitions(path, dataset_.obs_dim(), dataset_.act_dim());
    }
    return Imagination(model, policy, path);
  }

  // Fills the model buffer and saves it to `path`.
  absl::StatusOr<data::Transitions> Imagination(const DynamicsEnsemble& model,
                                                RolloutPolicy& policy, const std::string& path) {
    torch::Generator generator = Generator(StageSeed(config_.seed(), kImaginationStage));
    ImaginationSummary summary;
    Progress("imagination", 0, config_.imagination().buffer_size());
    ROMI_ASSIGN_OR_RETURN(data::Transitions buffer,
                          Imagine(model, policy, dataset_.transitions(),
                                  RealRowDistribution(config_.imagination().return_priority()),
                                  termination_, config_.imagination(), generator, &summary));
    Log("imagination", absl::StrFormat("%d transitions (%d terminal) in %.1f s, %.0f transitions/s",
                                       summary.rows, summary.terminated, summary.seconds,
                                       summary.rows / std::max(summary.seconds, 1e-9)));
    Progress("imagination", summary.rows, config_.imagination().buffer_size());
    ROMI_RETURN_IF_ERROR(SaveTransitions(buffer, path));
    return buffer;
  }

  absl::StatusOr<std::unique_ptr<learners::Learner>> LearnerStage(
      const data::Transitions& model_buffer) {
    learners::LearnerOptions options;
    options.obs_dim = dataset_.obs_dim();
    options.act_dim = dataset_.act_dim();
    options.max_action = max_action_;
    options.config = config_.learner();
    options.seed = StageSeed(config_.seed(), kLearnerStage);
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                          learners::LearnerRegistry::Create(options));
    const std::string path = Path("learner.pt");
    if (fs::exists(path)) {
      ROMI_RETURN_IF_ERROR(learner->Load(path));
      Log("learner", absl::StrCat("resumed from ", path, " at step ", learner->step()));
    }

    data::RowSource real{dataset_.transitions(),
                         RealRowDistribution(config_.real_return_priority())};
    absl::StatusOr<data::BatchSampler> sampler =
        config_.use_model()
            ? data::BatchSampler::Mixed(
                  std::move(real),
                  data::RowSource{model_buffer,
                                  data::IndexDistribution::Uniform(model_buffer.size())},
                  config_.batch_size(), config_.model_fraction())
            : data::BatchSampler::Uniform(dataset_.transitions(), config_.batch_size());
    ROMI_RETURN_IF_ERROR(sampler.status());

    const int64_t total = config_.learner_steps();
    const int64_t every = config_.checkpoint_every();
    torch::Generator generator;
    const int64_t first = learner->step();
    if (first % every != 0) {
      // A run that ended between two boundaries (its total was no multiple of `every`) and is now
      // extended: replay the draws since the last boundary, so the batches go on as in one run.
      generator = Generator(
          StageSeed(config_.seed(), kLearnerStage, static_cast<uint64_t>(first - first % every)));
      for (int64_t skipped = 0; skipped < first % every; ++skipped) sampler->Next(generator);
    }
    const int64_t progress_every = std::max<int64_t>(1, total / 200);
    Progress("learner", first, total);
    for (int64_t step = first; step < total; ++step) {
      // Reseeding at each checkpoint boundary makes the batches after a resume the same as those
      // of an uninterrupted run, without checkpointing the sampler.
      if (step % every == 0) {
        generator =
            Generator(StageSeed(config_.seed(), kLearnerStage, static_cast<uint64_t>(step)));
      }
      const learners::Metrics metrics = learner->Update(sampler->Next(generator));
      const int64_t done = step + 1;
      ROMI_RETURN_IF_ERROR(Diverged(learners::CheckMetricsFinite(metrics), done, path));
      if (done % progress_every == 0) Progress("learner", done, total);
      if (done % every != 0 && done != total) continue;
      std::string line = absl::StrFormat("step %d / %d", done, total);
      for (const auto& [name, value] : metrics)
        absl::StrAppendFormat(&line, ", %s %.4g", name, value);
      Log("learner", line);
      for (const auto& [name, value] : metrics) {
        ROMI_RETURN_IF_ERROR(Scalar(absl::StrCat("learner/", name), done, value));
      }
      ROMI_RETURN_IF_ERROR(Diverged(learner->CheckParametersFinite(), done, path));
      // The hook (e.g. evaluation) runs before the checkpoint is written, so a run that dies in
      // between repeats both, and the acting generator it advances is saved in the same state as
      // in an uninterrupted run.
      if (hooks_.on_checkpoint) ROMI_RETURN_IF_ERROR(hooks_.on_checkpoint(done, *learner));
      ROMI_RETURN_IF_ERROR(learner->Save(path));
      if (faults_.stop_after_learner_step == done) {
        return absl::CancelledError(
            absl::StrCat("stopped after learner step ", done, " (test hook)"));
      }
    }
    return learner;
  }

  // With a shared stage directory, makes `path` (a stage's output in the run directory) the shared
  // file of `identity`: made by `make(file, work_dir)` in the shared directory unless another run
  // made it there already, then linked here. Nothing to do without one, or when `path` exists (a
  // resumed run).
  absl::Status Share(const std::string& stage, const std::string& identity, const std::string& path,
                     const std::function<absl::Status(const std::string& file,
                                                      const std::string& work_dir)>& make) {
    if (shared_stage_dir_.empty() || fs::exists(path)) return absl::OkStatus();
    const SharedFile shared{shared_stage_dir_, stage, identity};
    Log(stage, absl::StrCat("shared with runs of the same inputs: ", SharedFileEntry(shared)));
    ROMI_ASSIGN_OR_RETURN(const SharedFileSource source, ProvideSharedFile(shared, path, make));
    if (source == SharedFileSource::kReused) {
      Log(stage, absl::StrCat("reused what an earlier run made: ", SharedFileEntry(shared)));
    }
    return absl::OkStatus();
  }

  absl::Status Scalar(const std::string& tag, int64_t step, double value) const {
    return hooks_.scalar ? hooks_.scalar(tag, step, value) : absl::OkStatus();
  }

  // A learner that diverged stops the run with the step and the first bad value; its last
  // checkpoint, written before the divergence, is left as it was.
  absl::Status Diverged(const absl::Status& check, int64_t step, const std::string& checkpoint) {
    if (check.ok()) return check;
    const std::string kept = fs::exists(checkpoint)
                                 ? absl::StrCat("the last good checkpoint ", checkpoint, " is kept")
                                 : std::string("no checkpoint had been written");
    const std::string message = absl::StrCat(run_dir_, ": the learner diverged at step ", step,
                                             ": ", check.message(), "; ", kept);
    Log("learner", message);
    return absl::InternalError(message);
  }

  const data::Dataset& dataset_;
  const envs::TerminationFn& termination_;
  const double max_action_;
  const RunConfig config_;
  const std::string run_dir_;
  const PipelineHooks& hooks_;
  const PipelineFaults& faults_;
  const std::string shared_stage_dir_;  // empty: every stage is made in the run directory
  // With a shared stage directory, what each model stage's output is computed from.
  std::string dynamics_identity_;
  std::string rollout_policy_identity_;
  std::string imagination_identity_;
};

}  // namespace

absl::Status SaveTransitions(const data::Transitions& table, const std::string& path) {
  torch::serialize::OutputArchive archive;
  learners::WriteTransitions(archive, table);
  return learners::SaveArchive(archive, path);
}

absl::StatusOr<data::Transitions> LoadTransitions(const std::string& path, int64_t obs_dim,
                                                  int64_t act_dim) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  data::Transitions table;
  ROMI_RETURN_IF_ERROR(learners::ReadTransitions(archive, path, table));
  const int64_t rows = table.observations.size(0);
  const bool shapes_ok = table.observations.dim() == 2 && table.observations.size(1) == obs_dim &&
                         table.next_observations.sizes() == table.observations.sizes() &&
                         table.actions.dim() == 2 && table.actions.size(0) == rows &&
                         table.actions.size(1) == act_dim && table.rewards.dim() == 1 &&
                         table.rewards.size(0) == rows && table.terminals.dim() == 1 &&
                         table.terminals.size(0) == rows;
  if (!shapes_ok) {
    return absl::DataLossError(absl::StrFormat(
        "%s: model buffer shapes do not match the dataset (obs %d, act %d): observations %s, "
        "actions %s",
        path, obs_dim, act_dim, c10::str(table.observations.sizes()),
        c10::str(table.actions.sizes())));
  }
  return table;
}

RunConfig ResolveDefaults(const RunConfig& config) {
  RunConfig resolved = config;
  // Widths first: they may set the learner's parameter message (a oneof member), whose other
  // fields FillDefaults then fills. The other way round a second ResolveDefaults would fill them
  // and the first not, and a run's resolved config would not compare equal to itself resolved
  // again (seen: a suite refusing its own finished runs).
  learners::FillDefaultWidths(resolved.mutable_learner());
  FillDefaultWidths(resolved.mutable_rollout_policy());
  FillDefaults(&resolved);
  return resolved;
}

absl::Status CheckRunConfig(const RunConfig& config, const std::string& run_dir) {
  return CheckConfig(config, (fs::path(run_dir) / "config.textproto").string(),
                     ComparableRunConfig);
}

absl::StatusOr<std::unique_ptr<learners::Learner>> RunPipeline(
    const data::Dataset& dataset, const envs::TerminationFn& termination, double max_action,
    const RunConfig& config, const std::string& run_dir, const PipelineHooks& hooks,
    const PipelineFaults& faults, const std::string& shared_stage_dir) {
  if (config.checkpoint_every() <= 0 || config.batch_size() <= 0 || config.learner_steps() < 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "RunConfig: checkpoint_every (%d) and batch_size (%d) must be positive, learner_steps (%d) "
        "non-negative",
        config.checkpoint_every(), config.batch_size(), config.learner_steps()));
  }
  if (config.model_fraction() < 0 || config.model_fraction() > 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("RunConfig: model_fraction %g is outside [0, 1]", config.model_fraction()));
  }
  if (!config.learner().has_algorithm()) {
    return absl::InvalidArgumentError("RunConfig: learner.algorithm is not set");
  }
  return Pipeline(dataset, termination, max_action, ResolveDefaults(config), run_dir, hooks, faults,
                  shared_stage_dir)
      .Run();
}

}  // namespace romi
