// The suite under faults, as a user's machine produces them: the d4rl_suite binary killed with
// SIGKILL at random moments (in every stage, inside every kind of file write, during dataset
// generation) and restarted each time must end bit-identical to a run never interrupted, with no
// partial file ever visible under a final name; a full disk and a read-only output directory give
// a clear error and leave earlier files intact; a second suite on a busy output directory stops at
// once, naming the first.
#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/event_file.h"
#include "base/text_proto.h"
#include "data/d4rl_file.h"
#include "eval/suite.pb.h"
#include "gtest/gtest.h"
#include "tests/smoke_suite.h"
#include "torch/torch.h"

namespace romi::eval {
namespace {

namespace fs = std::filesystem;

constexpr char kTask[] = "maze2d-umaze-v1";
// The method whose run writes a file in every pipeline stage (its reverse-BC rollout policy is
// trained, where maze2d's uniform one is not).
constexpr char kMethod[] = "romi-rbc-bcq";

// The suite binary's command line for one run of kMethod under the smoke budget, one thread, in
// this process's sight (jobs = 1: the process killed is the one training).
std::vector<std::string> SuiteCommand(const fs::path& out, const fs::path& cache, int steps) {
  return {"eval/d4rl_suite",
          absl::StrCat("--tasks=", kTask),
          absl::StrCat("--methods=", kMethod),
          "--seeds=0",
          "--budget=smoke",
          absl::StrCat("--steps=", steps),
          "--jobs=1",
          "--threads=1",
          "--progress=false",
          "--search_user_datasets=false",
          absl::StrCat("--cache_dir=", cache.string()),
          absl::StrCat("--out=", out.string())};
}

fs::path RunDirOf(const fs::path& out) { return out / "runs" / kTask / kMethod / "seed0"; }

// Starts `argv` with stdout and stderr appended to `log`; `limit_file_bytes` > 0 caps the size of
// every file it writes (RLIMIT_FSIZE: writes past it fail with EFBIG, as on a full disk).
pid_t Start(const std::vector<std::string>& argv, const fs::path& log,
            int64_t limit_file_bytes = 0) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (limit_file_bytes > 0) {
      signal(SIGXFSZ, SIG_IGN);  // fail the write instead of killing the writer
      const rlimit limit = {static_cast<rlim_t>(limit_file_bytes),
                            static_cast<rlim_t>(limit_file_bytes)};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Waits for `pid`; its exit status, or -signal when a signal ended it.
int Wait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int RunToEnd(const std::vector<std::string>& argv, const fs::path& log,
             int64_t limit_file_bytes = 0) {
  return Wait(Start(argv, log, limit_file_bytes));
}

bool IsTemporary(const std::string& name) { return name.find(".tmp-") != std::string::npos; }

// The name a temporary will be renamed to ("learner.pt" for "learner.pt.tmp-123").
std::string FinalName(const std::string& temporary) {
  return temporary.substr(0, temporary.find(".tmp-"));
}

// Sees files being created in a set of directories and every directory below them, also those
// created while it watches (inotify): so that a kill can land while a particular file is being
// written, wherever it is (a run directory, a shared stage's entry).
class CreationWatch {
 public:
  explicit CreationWatch(const std::vector<fs::path>& dirs) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    for (const fs::path& dir : dirs) WatchTree(dir);
  }
  ~CreationWatch() { close(fd_); }

  // The names created since the last call.
  std::vector<std::string> Poll() {
    std::vector<std::string> names;
    alignas(inotify_event) char buffer[16384];
    for (;;) {
      const ssize_t length = read(fd_, buffer, sizeof(buffer));
      if (length <= 0) break;
      for (ssize_t offset = 0; offset < length;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
        if (event->len > 0) {
          names.emplace_back(event->name);
          const auto dir = dirs_.find(event->wd);
          if ((event->mask & IN_ISDIR) != 0 && dir != dirs_.end()) {
            WatchTree(dir->second / event->name);
          }
        }
        offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    return names;
  }

 private:
  void WatchTree(const fs::path& dir) {
    const int wd = inotify_add_watch(fd_, dir.c_str(), IN_CREATE);
    if (wd < 0) return;
    dirs_[wd] = dir;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      if (entry.is_directory()) WatchTree(entry.path());
    }
  }

  int fd_ = -1;
  std::map<int, fs::path> dirs_;  // by watch descriptor
};

// When to kill a started process: once `after_seconds` have passed, or at the `nth` creation of a
// temporary whose final name is `file` ("" = any file); a plan with neither lets it finish.
struct KillPlan {
  double after_seconds = -1;
  int nth = 0;
  std::string file;
  std::string Describe() const {
    if (after_seconds >= 0) return absl::StrCat("after ", after_seconds, " s");
    if (nth > 0) return absl::StrCat("at write #", nth, " of ", file.empty() ? "any file" : file);
    return "never";
  }
};

struct Outcome {
  pid_t pid = 0;
  bool killed = false;
  int exit_status = 0;
  std::vector<std::string> temporaries;  // every temporary created, in order
};

Outcome RunUnder(const std::vector<std::string>& argv, const fs::path& log,
                 const std::vector<fs::path>& watched, const KillPlan& plan) {
  CreationWatch watch(watched);
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = Start(argv, log);
  outcome.pid = pid;
  int matches = 0;
  for (;;) {
    for (const std::string& name : watch.Poll()) {
      if (!IsTemporary(name)) continue;
      outcome.temporaries.push_back(FinalName(name));
      if (plan.nth > 0 && (plan.file.empty() || FinalName(name) == plan.file) &&
          ++matches == plan.nth) {
        kill(pid, SIGKILL);
        outcome.killed = true;
      }
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!outcome.killed && plan.after_seconds >= 0 && elapsed >= plan.after_seconds) {
      kill(pid, SIGKILL);
      outcome.killed = true;
    }
    int status = 0;
    const pid_t done = waitpid(pid, &status, outcome.killed ? 0 : WNOHANG);
    if (done == pid) {
      if (outcome.killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return outcome;
      outcome.killed = false;  // it ended before the signal could land
      outcome.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// What is wrong with the files under `root` that a reader could see (final names, not
// temporaries): each checkpoint, dataset, result, curve and event file must read back whole.
std::string UnreadableFiles(const fs::path& root) {
  std::vector<std::string> bad;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    const std::string name = entry.path().filename().string();
    if (IsTemporary(name)) continue;
    if (entry.path().extension() == ".pt") {
      try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
      } catch (const c10::Error& error) {
        bad.push_back(absl::StrCat(path, ": ", error.what_without_backtrace()));
      }
    } else if (entry.path().extension() == ".hdf5") {
      const absl::StatusOr<data::D4rlFile> file = data::ReadD4rlFile(path);
      if (!file.ok()) bad.push_back(std::string(file.status().message()));
    } else if (name == "result.textproto" || name == "curve.textproto") {
      RunResult result;
      const absl::Status status = ReadTextProto(path, &result);
      if (!status.ok()) bad.push_back(std::string(status.message()));
    } else if (name.rfind("events.out.tfevents", 0) == 0) {
      // Appended record by record: a torn last record is expected after a kill (the next run
      // cuts it off); anything before it must check.
      const absl::StatusOr<std::vector<ScalarEvent>> events =
          ReadEventFile(path, /*allow_torn_tail=*/true);
      if (!events.ok()) bad.push_back(std::string(events.status().message()));
    }
  }
  return absl::StrJoin(bad, "\n");
}

void ExpectSameRun(const fs::path& reference_out, const fs::path& out) {
  RunResult reference, result;
  ASSERT_TRUE(
      ReadTextProto((RunDirOf(reference_out) / "result.textproto").string(), &reference).ok());
  ASSERT_TRUE(ReadTextProto((RunDirOf(out) / "result.textproto").string(), &result).ok());
  EXPECT_EQ(Learned(reference), Learned(result));
  EXPECT_EQ(
      CheckpointDifference(RunDirOf(reference_out) / "learner.pt", RunDirOf(out) / "learner.pt"),
      "");
}

// Whether a file named `name` lies anywhere under `root`.
bool ContainsFile(const fs::path& root, const std::string& name) {
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().filename() == name) return true;
  }
  return false;
}

fs::path FreshRoot(const std::string& name) {
  const fs::path root = fs::path(::testing::TempDir()) / name;
  fs::remove_all(root);
  fs::create_directories(root);
  return root;
}

TEST(FaultsTest, KilledAtRandomMomentsTheRunResumesToTheUninterruptedResult) {
  constexpr int kSteps = 1000;  // 100 checkpoints and evaluations: many places to die
  constexpr int kKills = 24;
  const fs::path root = FreshRoot("faults_kill");
  const fs::path reference_out = root / "reference";
  const fs::path out = root / "killed";
  const fs::path cache = root / "cache_killed";
  const fs::path run_dir = RunDirOf(out);
  // Watched from the start: the dataset cache, the run directory, the report's directory.
  fs::create_directories(cache);
  fs::create_directories(run_dir);

  // The shared stages' entry directories (base/shared_file.h) are made during the run and written
  // into at once, so a watch added when one appears can miss its first files (seen under load:
  // the kill planned at such a file never came). Their names depend on the run's inputs alone: a
  // first, unwatched run learns them, and every watched run starts with them made.
  const fs::path discovery_out = root / "discovery";
  const Outcome discovery = RunUnder(SuiteCommand(discovery_out, root / "cache_discovery", kSteps),
                                     root / "discovery.log", {}, KillPlan{});
  ASSERT_EQ(discovery.exit_status, 0) << ReadFile(root / "discovery.log");
  std::set<std::string> entries;
  for (const auto& entry : fs::directory_iterator(discovery_out / "shared_stages")) {
    if (entry.is_directory()) entries.insert(entry.path().filename().string());
  }
  ASSERT_FALSE(entries.empty());
  for (const std::string& entry : entries) {
    fs::create_directories(reference_out / "shared_stages" / entry);
    fs::create_directories(out / "shared_stages" / entry);
  }

  // The uninterrupted run, watched to learn which files a run writes, in order.
  const std::vector<std::string> reference_command =
      SuiteCommand(reference_out, root / "cache_reference", kSteps);
  fs::create_directories(root / "cache_reference");
  fs::create_directories(RunDirOf(reference_out));
  const Outcome reference =
      RunUnder(reference_command, root / "reference.log",
               {root / "cache_reference", RunDirOf(reference_out), reference_out}, KillPlan{});
  ASSERT_EQ(reference.exit_status, 0) << ReadFile(root / "reference.log");
  std::vector<std::string> files;  // distinct, in the order first written
  for (const std::string& file : reference.temporaries) {
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  // The dataset, the model stages' checkpoints and outputs, the learner's, its curve.
  for (const char* expected : {"maze2d-umaze-v1-seed0-rows3000.hdf5", "dynamics_training.pt",
                               "dynamics.pt", "rollout_policy.pt", "model_buffer.pt", "learner.pt",
                               "curve.textproto", "result.textproto"}) {
    EXPECT_NE(std::find(files.begin(), files.end(), expected), files.end())
        << expected << " is not among the files written: " << absl::StrJoin(files, ", ");
  }

  // First a kill inside the first write of each file the run writes, in the order a run reaches
  // them (the dataset twice: generation starts over after a kill); then kills at random moments
  // and at random writes while it trains; then one inside each write of the finished run and its
  // report; then a last start that may finish.
  std::vector<KillPlan> plans = {{-1, 1, files.front()}};
  const auto finished = std::find(files.begin(), files.end(), "result.textproto");
  for (auto file = files.begin(); file != finished; ++file) plans.push_back({-1, 1, *file});
  std::mt19937_64 random(20261203);
  const int at_the_end = static_cast<int>(files.end() - finished);
  while (static_cast<int>(plans.size()) + at_the_end < kKills) {
    if (plans.size() % 2 == 0) {
      plans.push_back({std::uniform_real_distribution<double>(0.02, 0.6)(random), 0, ""});
    } else {
      plans.push_back({-1, std::uniform_int_distribution<int>(1, 4)(random), ""});
    }
  }
  const size_t first_at_the_end = plans.size();
  for (auto file = finished; file != files.end(); ++file) plans.push_back({-1, 1, *file});
  plans.push_back(KillPlan{});
  const fs::path log = root / "killed.log";
  int kills = 0;
  int mid_write = 0;    // kills that left the targeted file's temporary behind: inside its write
  std::string history;  // every start: its plan and how it ended
  for (size_t i = 0; i < plans.size(); ++i) {
    const KillPlan& plan = plans[i];
    // A kill aimed at a file the run writes once can land just after its rename; the file is then
    // whole and no later start writes it again: the plan is moot (seen under load for the dataset,
    // whose second plan then let the run finish before its other kills).
    if (!plan.file.empty() && i < first_at_the_end &&
        std::count(reference.temporaries.begin(), reference.temporaries.end(), plan.file) == 1 &&
        (fs::exists(cache / plan.file) || ContainsFile(out, plan.file))) {
      absl::StrAppend(&history, "\n  plan ", i + 1, ", kill ", plan.Describe(),
                      ": skipped, the file is already whole");
      continue;
    }
    const Outcome outcome =
        RunUnder(SuiteCommand(out, cache, kSteps), log, {cache, run_dir, out}, plan);
    absl::StrAppend(&history, "\n  start ", i + 1, ", kill planned ", plan.Describe(), ": ",
                    outcome.killed ? "killed" : "finished", " after writing ",
                    outcome.temporaries.size(), " files");
    if (!outcome.killed) {
      ASSERT_EQ(outcome.exit_status, 0)
          << "start " << kills + 1 << " (kill planned " << plan.Describe() << ") failed:\n"
          << ReadFile(log);
      // A kill planned past the end of a resumed (shorter) start, or inside a write a finished
      // run does not repeat (its result): the kills inside the report's writes remain.
      if (i + 1 < plans.size()) {
        if (i < first_at_the_end) i = first_at_the_end - 1;
        continue;
      }
      break;
    }
    ++kills;
    const std::string temporary = absl::StrCat(plan.file, ".tmp-", outcome.pid);
    if (!plan.file.empty() && (fs::exists(cache / temporary) || ContainsFile(out, temporary))) {
      ++mid_write;
    }
    ASSERT_EQ(UnreadableFiles(root / "killed").append(UnreadableFiles(cache)), "")
        << "after kill " << kills << " (" << plan.Describe() << ")";
  }
  EXPECT_GE(kills, 20) << "the run finished too soon to be killed often enough:" << history;
  ASSERT_TRUE(fs::exists(run_dir / "result.textproto")) << ReadFile(log);
  std::set<std::string> killed_entries;
  for (const auto& entry : fs::directory_iterator(out / "shared_stages")) {
    killed_entries.insert(entry.path().filename().string());
  }
  EXPECT_EQ(killed_entries, entries) << "the killed run made other shared stages than the first";
  // The temporaries killed writers left were removed by the restarts that took their locks.
  for (const fs::path& dir : {out, cache}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      EXPECT_FALSE(IsTemporary(entry.path().filename().string())) << entry.path();
    }
  }

  ExpectSameRun(reference_out, out);
  std::string problem;
  const Scalars expected = EventScalars(RunDirOf(reference_out), &problem);
  ASSERT_EQ(problem, "");
  const Scalars scalars = EventScalars(run_dir, &problem);
  EXPECT_EQ(problem, "") << "the killed run's event file";
  EXPECT_EQ(scalars, expected);
  // The generated dataset is the one generated without interruption.
  const absl::StatusOr<data::D4rlFile> a =
      data::ReadD4rlFile((root / "cache_reference" / files.front()).string());
  const absl::StatusOr<data::D4rlFile> b = data::ReadD4rlFile((cache / files.front()).string());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(torch::equal(a->observations, b->observations));
  EXPECT_TRUE(torch::equal(a->actions, b->actions));
  std::printf(
      "survived %d kills (%d inside the write they aimed at); the run writes %zu files: %s\n",
      kills, mid_write, files.size(), absl::StrJoin(files, ", ").c_str());
}

// Every regular file under `root` (final names) with its contents.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && !IsTemporary(entry.path().filename().string())) {
      files[entry.path().string()] = ReadFile(entry.path());
    }
  }
  return files;
}

TEST(FaultsTest, AFullDiskStopsTheRunWithAClearErrorAndKeepsEarlierFiles) {
  const fs::path root = FreshRoot("faults_full_disk");
  const fs::path out = root / "out";
  const fs::path cache = root / "cache";
  ASSERT_EQ(RunToEnd(SuiteCommand(out, cache, 20), root / "first.log"), 0)
      << ReadFile(root / "first.log");
  const std::map<std::string, std::string> before = Snapshot(out);
  const std::string checkpoint = (RunDirOf(out) / "learner.pt").string();
  ASSERT_TRUE(before.count(checkpoint));
  ASSERT_GT(before.at(checkpoint).size(), 40000u);

  // Extending the run to 40 steps on a "disk" that takes no file over 32 KB: the learner's
  // checkpoint (~80 KB) cannot be written.
  const fs::path log = root / "full.log";
  EXPECT_EQ(RunToEnd(SuiteCommand(out, cache, 40), log, 32 << 10), 1);
  const std::string output = ReadFile(log);
  EXPECT_NE(output.find(RunDirOf(out).string() + "/learner.pt"), std::string::npos) << output;
  EXPECT_NE(output.find("File too large"), std::string::npos) << output;
  // Earlier files are whole: the checkpoint and the finished result exactly as they were, every
  // other file either as it was or a complete new version; no temporary is left behind.
  const std::map<std::string, std::string> after = Snapshot(out);
  EXPECT_EQ(after.at(checkpoint), before.at(checkpoint));
  const std::string result = (RunDirOf(out) / "result.textproto").string();
  EXPECT_EQ(after.at(result), before.at(result));
  EXPECT_EQ(UnreadableFiles(out), "");
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    EXPECT_FALSE(IsTemporary(entry.path().filename().string())) << entry.path();
  }

  // With space again, the same command finishes what an uninterrupted 40-step run gives.
  ASSERT_EQ(RunToEnd(SuiteCommand(out, cache, 40), root / "resumed.log"), 0)
      << ReadFile(root / "resumed.log");
  ASSERT_EQ(RunToEnd(SuiteCommand(root / "reference", cache, 40), root / "reference.log"), 0);
  ExpectSameRun(root / "reference", out);

  // A dataset that does not fit: the generated file is named, and nothing is cached under it.
  const fs::path small_cache = root / "small_cache";
  const fs::path dataset_log = root / "dataset.log";
  EXPECT_NE(RunToEnd(SuiteCommand(root / "out2", small_cache, 20), dataset_log, 16 << 10), 0);
  const std::string dataset_output = ReadFile(dataset_log);
  EXPECT_NE(dataset_output.find((small_cache / "maze2d-umaze-v1-seed0-rows3000.hdf5").string()),
            std::string::npos)
      << dataset_output;
  EXPECT_FALSE(fs::exists(small_cache / "maze2d-umaze-v1-seed0-rows3000.hdf5"));
}

TEST(FaultsTest, AReadOnlyOutputDirectoryIsAClearError) {
  const fs::path root = FreshRoot("faults_read_only");
  const fs::path out = root / "out";
  fs::create_directories(out);
  std::vector<std::string> command = SuiteCommand(out, root / "cache", 20);
  if (geteuid() == 0) {
    // Root writes through permission bits; a read-only bind mount in a mount namespace of the
    // child's own is what stops it.
    if (RunToEnd({"/usr/bin/unshare", "-m", "/bin/true"}, root / "probe.log") != 0) {
      GTEST_SKIP() << "running as root without mount namespaces: cannot make a read-only "
                      "directory here ("
                   << ReadFile(root / "probe.log") << ")";
    }
    const std::string mount =
        absl::StrCat("mount --bind '", out.string(), "' '", out.string(),
                     "' && mount -o remount,bind,ro '", out.string(), "' && exec \"$@\"");
    command.insert(command.begin(), {"/usr/bin/unshare", "-m", "/bin/sh", "-c", mount, "sh"});
  } else {
    fs::permissions(out, fs::perms::owner_read | fs::perms::owner_exec);
  }
  const fs::path log = root / "read_only.log";
  EXPECT_EQ(RunToEnd(command, log), 1);
  const std::string output = ReadFile(log);
  EXPECT_NE(output.find(out.string()), std::string::npos) << output;
  EXPECT_TRUE(output.find("Read-only file system") != std::string::npos ||
              output.find("Permission denied") != std::string::npos)
      << output;
  fs::permissions(out, fs::perms::owner_all);
}

TEST(FaultsTest, ASecondSuiteOnABusyOutputDirectoryStopsNamingTheFirst) {
  const fs::path root = FreshRoot("faults_two_suites");
  const fs::path out = root / "out";
  const pid_t first = Start(SuiteCommand(out, root / "cache", 100000), root / "first.log");
  // Wait (bounded) until the first suite holds its lock and has started training.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(RunDirOf(out) / "learner.pt") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(RunDirOf(out) / "learner.pt")) << ReadFile(root / "first.log");
  const fs::path log = root / "second.log";
  EXPECT_EQ(RunToEnd(SuiteCommand(out, root / "cache", 20), log), 1);
  const std::string output = ReadFile(log);
  EXPECT_NE(output.find(absl::StrCat((out / "suite.lock").string(),
                                     " is held by another process (pid ", first, " on ")),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("wait for it to finish, or use another --out"), std::string::npos)
      << output;
  kill(first, SIGKILL);
  Wait(first);
  // The first suite's files are its own: the run it was training reads back whole.
  EXPECT_EQ(UnreadableFiles(out), "");
}

}  // namespace
}  // namespace romi::eval
