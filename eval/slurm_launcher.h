// The suite on a Slurm cluster: what `d4rl_suite --launcher=slurm` stages, writes and submits.
//
//   <out>/slurm/stage/      the d4rl_suite binary and the files it reads (configs, the paper's
//                           scores, the experiment presets, the shipped behaviour policies), so
//                           compute nodes need neither Bazel nor the source tree
//   <out>/slurm/prepare.sbatch   one job: every task's dataset generated (or found) once
//   <out>/slurm/runs.sbatch      a job array, one task per unfinished (task, method, seed); each
//                                runs `d4rl_suite --run=...` into <out>/runs/... (its output
//                                appended to the run's worker.log), after the prepare job
//   <out>/slurm/report.sbatch    `d4rl_suite --collect` after the array, however it ended
//   <out>/slurm/logs/            Slurm's own output of each job (time limits, node failures)
//   <out>/slurm/submitted.txt    the job ids of each submission, appended
//
// Resubmitting (the same command) stages again and submits only the runs without a result:
// interrupted ones resume from their checkpoints (eval/suite_runner.h), and a run still training
// holds its run.lock, so a second task on it stops at once with an error naming the holder.
#ifndef ROMI_EVAL_SLURM_LAUNCHER_H_
#define ROMI_EVAL_SLURM_LAUNCHER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romi::eval {

// The resources of each job, from d4rl_suite's --slurm_* flags.
struct SlurmResources {
  int cpus_per_task = 4;                  // also the torch threads of each run
  std::string memory = "8G";              // sbatch --mem
  std::string time_limit = "2-00:00:00";  // sbatch --time, per array task
  int max_running = 0;                    // array tasks at once (sbatch --array=...%N); 0: any
  std::vector<std::string> sbatch_args;   // passed to every sbatch call, e.g. --partition=cpu
};

// A file or directory to copy into the stage: `source` (as given) to `staged` (relative).
struct StagedPath {
  std::string source;
  std::string staged;
};

// <out_dir>/slurm/stage: where the jobs' binary and runfiles are staged (and their working
// directory).
std::string SlurmStageDir(const std::string& out_dir);

// Copies each path into `stage_dir`, every file written under a temporary name and renamed, so
// a job that is running the staged binary of an earlier submission keeps running. Errors name the
// path that cannot be read or written.
absl::Status StageFiles(const std::vector<StagedPath>& paths, const std::string& stage_dir);

// One sweep as the scripts run it. Commands are argv vectors of staged, absolute paths.
struct SlurmSweep {
  std::string out_dir;                       // absolute: the shared output directory
  std::vector<std::string> run_command;      // one run when --run=<key> is appended
  std::vector<std::string> prepare_command;  // generates the datasets
  std::vector<std::string> report_command;   // writes the report
  // (name, value) of each variable exported before each command.
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::string> runs;      // RunKeys of the array's tasks, in order
  std::vector<std::string> run_dirs;  // each run's directory, same order
};

// The three job scripts (bash, #SBATCH headers from `resources`; the report's job takes one core).
std::string PrepareScript(const SlurmSweep& sweep, const SlurmResources& resources);
std::string RunsScript(const SlurmSweep& sweep, const SlurmResources& resources);
std::string ReportScript(const SlurmSweep& sweep);

// What one submission made: job ids (empty for a job not submitted: with no run left to train
// only the report is), the scripts it wrote and the sbatch command lines, in the order they ran.
struct SlurmSubmission {
  std::string prepare_job;
  std::string runs_job;
  std::string report_job;
  std::vector<std::string> scripts;
  std::vector<std::string> commands;
};

// Writes the scripts under <out>/slurm and submits them with `sbatch` (a path): the prepare job,
// the array after it (afterok; cancelled if the prepare job fails), the report after the array
// (afterany). With `dry_run`, writes the scripts and returns the commands without running them.
// Errors: the output directory not writable, sbatch refusing a job (its message shown).
absl::StatusOr<SlurmSubmission> SubmitSweep(const SlurmSweep& sweep,
                                            const SlurmResources& resources,
                                            const std::string& sbatch, bool dry_run);

// `text` quoted for bash (single quotes).
std::string ShellQuote(const std::string& text);

}  // namespace romi::eval

#endif  // ROMI_EVAL_SLURM_LAUNCHER_H_
