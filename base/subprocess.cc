#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/atomic_file.h"

namespace romi {
namespace {

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                        ")");
  }
  return absl::StrCat("ended with wait status ", status);
}

// argv as execv takes it; the strings stay `argv`'s. Built before fork: after it, the child makes
// only async-signal-safe calls.
std::vector<char*> ExecArgs(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  return args;
}

pid_t WaitFor(pid_t which, int* status) {
  pid_t pid;
  do {
    pid = waitpid(which, status, 0);
  } while (pid < 0 && errno == EINTR);
  return pid;
}

}  // namespace

absl::StatusOr<pid_t> StartProcess(const std::vector<std::string>& argv,
                                   const std::string& log_path) {
  if (argv.empty()) return absl::InvalidArgumentError("StartProcess: empty command");
  std::vector<char*> args = ExecArgs(argv);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", log_path, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(log);
    return absl::ResourceExhaustedError(absl::StrCat("fork failed: ", std::strerror(error)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(args[0], args.data());
    const char message[] = "StartProcess: exec failed\n";
    (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
    _exit(127);
  }
  close(log);
  return pid;
}

absl::StatusOr<FinishedProcess> WaitForAnyChild() {
  int status = 0;
  const pid_t pid = WaitFor(-1, &status);
  if (pid < 0) {
    if (errno == ECHILD) return absl::NotFoundError("no child process to wait for");
    return absl::InternalError(absl::StrCat("waitpid failed: ", std::strerror(errno)));
  }
  return FinishedProcess{pid, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                         DescribeWaitStatus(status)};
}

absl::StatusOr<CommandOutput> RunCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("RunCommand: empty command");
  std::vector<char*> args = ExecArgs(argv);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("pipe failed: ", std::strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return absl::ResourceExhaustedError(absl::StrCat("fork failed: ", std::strerror(error)));
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    execv(args[0], args.data());
    const char message[] = "RunCommand: exec failed\n";
    (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
    _exit(127);
  }
  close(pipe_fds[1]);
  CommandOutput result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  if (WaitFor(pid, &status) != pid) {
    return absl::InternalError(absl::StrCat("waitpid failed: ", std::strerror(errno)));
  }
  result.finished = {pid, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                     DescribeWaitStatus(status)};
  return result;
}

absl::Status RunInForkedChild(const std::string& what, const std::function<absl::Status()>& call,
                              int timeout_seconds) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("pipe failed: ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return absl::ResourceExhaustedError(absl::StrCat("fork failed: ", std::strerror(error)));
  }
  if (pid == 0) {
    close(pipe_fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    absl::Status status;
    try {
      status = call();
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("uncaught exception: ", e.what()));
    } catch (...) {
      status = absl::InternalError("uncaught exception");
    }
    // The report: the status code, a newline, the message.
    const std::string report =
        absl::StrCat(static_cast<int>(status.code()), "\n", status.message());
    _exit(WriteAll(pipe_fds[1], report.data(), report.size()) == 0 ? 0 : 126);
  }
  close(pipe_fds[1]);
  std::string report;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd readable{pipe_fds[0], POLLIN, 0};
    const int ready =
        poll(&readable, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline is checked above
    const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n > 0) {
      report.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  if (WaitFor(pid, &status) != pid) {
    return absl::InternalError(absl::StrCat("waitpid failed: ", std::strerror(errno)));
  }
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": reading it was still running after ", timeout_seconds,
                     " s in a child process and was stopped; is the file malformed?"));
  }
  if (WIFSIGNALED(status)) {
    return absl::DataLossError(absl::StrCat(
        what, ": reading it crashed the reader in a child process (", DescribeWaitStatus(status),
        "); the file is malformed or hostile, and this process did not read it"));
  }
  const size_t newline = report.find('\n');
  int code = 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || newline == std::string::npos ||
      !absl::SimpleAtoi(report.substr(0, newline), &code)) {
    return absl::InternalError(absl::StrCat(what, ": the child process reading it ",
                                            DescribeWaitStatus(status), " without a report"));
  }
  return absl::Status(static_cast<absl::StatusCode>(code), report.substr(newline + 1));
}

absl::StatusOr<std::string> FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "";
  for (const absl::string_view dir : absl::StrSplit(dirs, ':', absl::SkipEmpty())) {
    const std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
  }
  return absl::NotFoundError(absl::StrCat("no '", program, "' on PATH (", dirs, ")"));
}

}  // namespace romi
