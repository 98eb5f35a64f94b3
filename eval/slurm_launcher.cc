#include "eval/slurm_launcher.h"

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "base/subprocess.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

absl::Status StageFile(const fs::path& source, const fs::path& staged) {
  ROMI_RETURN_IF_ERROR(CreateDirectories(staged.parent_path().string()));
  return WriteFileAtomically(staged.string(), [&](const std::string& temporary) {
    std::error_code error;
    // The file itself, not a link to it (Bazel's runfiles are links into its output base).
    const fs::path file = fs::canonical(source, error);
    if (!error) fs::copy_file(file, temporary, fs::copy_options::overwrite_existing, error);
    if (error) {
      return FileSystemError(absl::StrCat("cannot copy ", source.string(), " to"), temporary,
                             error.value());
    }
    return absl::OkStatus();
  });
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::vector<std::string> quoted;
  quoted.reserve(argv.size());
  for (const std::string& arg : argv) quoted.push_back(ShellQuote(arg));
  return absl::StrJoin(quoted, " ");
}

std::string SlurmDir(const SlurmSweep& sweep) { return sweep.out_dir + "/slurm"; }

// The #SBATCH header, the strict mode, the environment and the working directory every job
// script starts with. `output` is Slurm's own log file (its % patterns).
std::string ScriptHead(const SlurmSweep& sweep, const std::string& what, const std::string& name,
                       int cpus, const std::string& memory, const std::string& time_limit,
                       const std::string& output) {
  return absl::StrCat(
      "#!/bin/bash\n# ", what,
      "\n# Written by d4rl_suite --launcher=slurm; rerun that command to resubmit what is left.\n",
      "#SBATCH --job-name=", name, "\n#SBATCH --cpus-per-task=", cpus, "\n#SBATCH --mem=", memory,
      "\n#SBATCH --time=", time_limit, "\n#SBATCH --output=", SlurmDir(sweep), "/logs/", output,
      "\n");
}

std::string ScriptBody(const SlurmSweep& sweep) {
  std::string body = "set -euo pipefail\n";
  for (const auto& [name, value] : sweep.environment) {
    absl::StrAppend(&body, "export ", name, "=", ShellQuote(value), "\n");
  }
  absl::StrAppend(&body, "cd ", ShellQuote(SlurmStageDir(sweep.out_dir)), "\n");
  return body;
}

// The job id sbatch --parsable printed ("<id>" or "<id>;<cluster>", after any warnings).
absl::StatusOr<std::string> ParseJobId(const std::string& output) {
  std::string id;
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipWhitespace())) {
    line = absl::StripAsciiWhitespace(line);
    const absl::string_view candidate = line.substr(0, line.find(';'));
    bool digits = !candidate.empty();
    for (const char c : candidate) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) id = std::string(candidate);
  }
  if (id.empty()) {
    return absl::InternalError(absl::StrCat("sbatch printed no job id: '", output, "'"));
  }
  return id;
}

std::string Timestamp() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return stamp;
}

}  // namespace

std::string SlurmStageDir(const std::string& out_dir) { return out_dir + "/slurm/stage"; }

std::string ShellQuote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

absl::Status StageFiles(const std::vector<StagedPath>& paths, const std::string& stage_dir) {
  for (const StagedPath& path : paths) {
    const fs::path source(path.source);
    const fs::path staged = fs::path(stage_dir) / path.staged;
    std::error_code error;
    if (fs::is_directory(source, error)) {
      for (fs::recursive_directory_iterator it(source, error), end; !error && it != end;
           it.increment(error)) {
        // Bazel's runfiles are symlinks: what is staged is the file they point to.
        if (!fs::is_regular_file(it->path())) continue;
        ROMI_RETURN_IF_ERROR(StageFile(it->path(), staged / it->path().lexically_relative(source)));
      }
      if (error) return FileSystemError("cannot list", source.string(), error.value());
    } else if (fs::is_regular_file(source, error)) {
      ROMI_RETURN_IF_ERROR(StageFile(source, staged));
    } else {
      return absl::NotFoundError(
          absl::StrCat("cannot stage ", source.string(), " for the cluster's nodes: no such file"));
    }
  }
  return absl::OkStatus();
}

std::string PrepareScript(const SlurmSweep& sweep, const SlurmResources& resources) {
  return absl::StrCat(
      ScriptHead(sweep, "The datasets of a romi suite, generated once before its runs.",
                 "romi-prepare", resources.cpus_per_task, resources.memory, resources.time_limit,
                 "prepare-%j.log"),
      ScriptBody(sweep), "exec ", CommandLine(sweep.prepare_command), "\n");
}

std::string RunsScript(const SlurmSweep& sweep, const SlurmResources& resources) {
  const int last = static_cast<int>(sweep.runs.size()) - 1;
  std::string script = ScriptHead(
      sweep, absl::StrCat(sweep.runs.size(), " runs of a romi suite, one per array task."),
      "romi-runs", resources.cpus_per_task, resources.memory, resources.time_limit,
      "run-%A_%a.log");
  absl::StrAppend(&script, "#SBATCH --array=0-", last,
                  resources.max_running > 0 ? absl::StrCat("%", resources.max_running) : "", "\n",
                  ScriptBody(sweep), "RUNS=(\n");
  for (const std::string& run : sweep.runs) absl::StrAppend(&script, "  ", ShellQuote(run), "\n");
  absl::StrAppend(&script, ")\nRUN_DIRS=(\n");
  for (const std::string& dir : sweep.run_dirs) {
    absl::StrAppend(&script, "  ", ShellQuote(dir), "\n");
  }
  absl::StrAppend(
      &script, ")\n", "RUN=\"${RUNS[$SLURM_ARRAY_TASK_ID]}\"\n",
      "RUN_DIR=\"${RUN_DIRS[$SLURM_ARRAY_TASK_ID]}\"\n", "mkdir -p \"$RUN_DIR\"\n",
      "# The run's output goes beside its checkpoints, where --collect finds it; Slurm's log "
      "keeps\n"
      "# what only Slurm can say (a time limit, a node failure).\n",
      "echo \"$(date '+%F %T') slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on "
      "$(hostname): $RUN (Slurm's log: ",
      SlurmDir(sweep),
      "/logs/run-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log)\" >> \"$RUN_DIR/worker.log\"\n",
      "exec ", CommandLine(sweep.run_command), " --run=\"$RUN\" >> \"$RUN_DIR/worker.log\" 2>&1\n");
  return script;
}

// One core and a little memory: the report reads result files and plots curves.
std::string ReportScript(const SlurmSweep& sweep) {
  return absl::StrCat(ScriptHead(sweep,
                                 "The report of a romi suite from whatever runs finished, the "
                                 "others listed with their logs.",
                                 "romi-report", 1, "2G", "01:00:00", "report-%j.log"),
                      ScriptBody(sweep), "exec ", CommandLine(sweep.report_command), "\n");
}

absl::StatusOr<SlurmSubmission> SubmitSweep(const SlurmSweep& sweep,
                                            const SlurmResources& resources,
                                            const std::string& sbatch, bool dry_run) {
  const std::string dir = SlurmDir(sweep);
  ROMI_RETURN_IF_ERROR(CreateDirectories(dir + "/logs"));
  const std::string prepare = dir + "/prepare.sbatch";
  const std::string runs = dir + "/runs.sbatch";
  const std::string report = dir + "/report.sbatch";
  SlurmSubmission submission;
  if (!sweep.runs.empty()) {
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(prepare, PrepareScript(sweep, resources)));
    ROMI_RETURN_IF_ERROR(WriteStringAtomically(runs, RunsScript(sweep, resources)));
    submission.scripts = {prepare, runs};
  }
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(report, ReportScript(sweep)));
  submission.scripts.push_back(report);

  // Each sbatch call; a dry run numbers the jobs it would have made, for the commands it prints.
  int dry_id = 0;
  auto submit = [&](const std::string& script,
                    const std::vector<std::string>& options) -> absl::StatusOr<std::string> {
    std::vector<std::string> argv = {sbatch, "--parsable"};
    argv.insert(argv.end(), resources.sbatch_args.begin(), resources.sbatch_args.end());
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(script);
    submission.commands.push_back(CommandLine(argv));
    if (dry_run) return absl::StrCat("<job ", ++dry_id, ">");
    ROMI_ASSIGN_OR_RETURN(const CommandOutput done, RunCommand(argv));
    if (!done.finished.ok) {
      return absl::FailedPreconditionError(
          absl::StrCat("sbatch refused ", script, " (", done.finished.description,
                       "): ", absl::StripAsciiWhitespace(done.output)));
    }
    return ParseJobId(done.output);
  };
  std::vector<std::string> report_options;
  if (!sweep.runs.empty()) {
    ROMI_ASSIGN_OR_RETURN(submission.prepare_job, submit(prepare, {}));
    ROMI_ASSIGN_OR_RETURN(
        submission.runs_job,
        submit(runs, {absl::StrCat("--dependency=afterok:", submission.prepare_job),
                      "--kill-on-invalid-dep=yes"}));
    report_options.push_back(absl::StrCat("--dependency=afterany:", submission.runs_job));
  }
  ROMI_ASSIGN_OR_RETURN(submission.report_job, submit(report, report_options));
  if (dry_run) return submission;

  // A record of what was submitted when, beside the scripts.
  std::string record;
  {
    std::ifstream in(dir + "/submitted.txt");
    std::stringstream existing;
    existing << in.rdbuf();
    record = existing.str();
  }
  absl::StrAppend(&record, Timestamp(), ": ",
                  sweep.runs.empty()
                      ? "no run left to train"
                      : absl::StrCat("prepare job ", submission.prepare_job, ", runs job ",
                                     submission.runs_job, " (", sweep.runs.size(), " array tasks)"),
                  ", report job ", submission.report_job, "\n");
  ROMI_RETURN_IF_ERROR(WriteStringAtomically(dir + "/submitted.txt", record));
  return submission;
}

}  // namespace romi::eval
