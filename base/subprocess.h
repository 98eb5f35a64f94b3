// Child processes for running independent jobs side by side: each child is a fresh program with
// its own thread pools and random state, so a job gives the same result whether it runs alone or
// next to others, and one that crashes takes nothing else with it.
#ifndef ROMI_BASE_SUBPROCESS_H_
#define ROMI_BASE_SUBPROCESS_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romi {

// Starts argv[0] (a path) with `argv`, its stdout and stderr appended to `log_path`. The child is
// sent SIGTERM if this process dies, so no orphan keeps writing after its parent is gone.
absl::StatusOr<pid_t> StartProcess(const std::vector<std::string>& argv,
                                   const std::string& log_path);

struct FinishedProcess {
  pid_t pid = 0;
  bool ok = false;          // exited with status 0
  std::string description;  // "exited with status 3", "killed by signal 9 (Killed)"
};

// Waits for any child of this process to finish. NotFoundError when there is none.
absl::StatusOr<FinishedProcess> WaitForAnyChild();

// A short command run to its end (a job scheduler's client: sbatch, squeue), its stdout and
// stderr captured together: `finished.ok` tells whether it exited with status 0.
struct CommandOutput {
  FinishedProcess finished;
  std::string output;
};
// argv[0] is a path. Errors only when the command cannot be started.
absl::StatusOr<CommandOutput> RunCommand(const std::vector<std::string>& argv);

// Runs `call` in a forked copy of this process and returns the status it returned there: a library
// that crashes or hangs on a hostile file (libhdf5 on crafted HDF5 files) takes only the copy with
// it. A crash is DataLossError naming `what` and the signal; a call still running after
// `timeout_seconds` is killed and gives DeadlineExceededError. Nothing the call changes in memory
// comes back, only its status: read the file again in this process once it passed.
// Only the calling thread exists in the copy, so `call` must not wait on other threads' work:
// thread pools (OpenMP, ATen's) must be set to one thread first.
absl::Status RunInForkedChild(const std::string& what, const std::function<absl::Status()>& call,
                              int timeout_seconds);

// The path of `program` in a directory of $PATH; NotFoundError naming the program and $PATH.
absl::StatusOr<std::string> FindOnPath(const std::string& program);

}  // namespace romi

#endif  // ROMI_BASE_SUBPROCESS_H_
