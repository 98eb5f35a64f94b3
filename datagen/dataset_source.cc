#include "datagen/dataset_source.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/progress_bar.h"
#include "base/status_macros.h"
#include "base/subprocess.h"
#include "data/fingerprint.h"
#include "data/minari.h"
#include "datagen/dataset_generators.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

bool IsFile(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

// How long a user's dataset may take to read (a D4RL file of 2e6 rows takes seconds).
constexpr int kUserDatasetReadSeconds = 600;

// A dataset from elsewhere is read once in a forked copy of this process before it is read here:
// libhdf5 can crash on a crafted file, and then only the copy dies and the error names the file.
absl::Status ReadInChildFirst(const std::string& what, const std::function<absl::Status()>& read) {
  return RunInForkedChild(
      what,
      [&read] {
        at::set_num_threads(1);  // the copy has no worker threads to hand work to
        return read();
      },
      kUserDatasetReadSeconds);
}

// The first `rows` rows of every per-row array (all of them when rows is 0 or too large).
data::D4rlFile Prefix(data::D4rlFile file, int64_t rows) {
  if (rows <= 0 || rows >= file.size()) return file;
  for (torch::Tensor* t : {&file.observations, &file.actions, &file.rewards, &file.terminals,
                           &file.timeouts, &file.next_observations}) {
    if (t->defined()) *t = t->narrow(0, 0, rows);
  }
  for (auto& [name, tensor] : file.infos) tensor = tensor.narrow(0, 0, rows);
  return file;
}

absl::StatusOr<ResolvedDataset> ReadUserFile(const std::string& path, int64_t rows) {
  ROMI_RETURN_IF_ERROR(
      ReadInChildFirst(path, [&path] { return data::ReadD4rlFile(path).status(); }));
  ROMI_ASSIGN_OR_RETURN(data::D4rlFile file, data::ReadD4rlFile(path));
  const int64_t file_rows = file.size();
  ResolvedDataset resolved{Prefix(std::move(file), rows), DatasetOrigin::kUserFile, path, ""};
  resolved.description = absl::StrCat("D4RL file ", path, " (user file, ", resolved.file.size(),
                                      " of ", file_rows, " rows)");
  return resolved;
}

absl::StatusOr<ResolvedDataset> ReadUserMinari(const DatasetRequest& request,
                                               const std::string& id) {
  const std::string dir = data::MinariDataDir(data::MinariRoot(request.minari_dir), id);
  data::MinariReadOptions options;
  options.observation_keys = request.minari_observation_keys;
  ROMI_RETURN_IF_ERROR(ReadInChildFirst(
      dir, [&dir, &options] { return data::ReadMinariDataset(dir, options).status(); }));
  ROMI_ASSIGN_OR_RETURN(data::D4rlFile file, data::ReadMinariDataset(dir, options));
  const int64_t file_rows = file.size();
  ResolvedDataset resolved{Prefix(std::move(file), request.rows), DatasetOrigin::kUserFile, dir,
                           ""};
  resolved.description = absl::StrCat("Minari dataset ", id, " at ", dir, " (user dataset, ",
                                      resolved.file.size(), " of ", file_rows, " steps)");
  return resolved;
}

// Reads a cached file and checks that it is what `request` asks for, intact.
absl::StatusOr<data::D4rlFile> ReadCachedFile(const std::string& path,
                                              const GeneratorInfo& generator, int64_t rows,
                                              uint64_t seed) {
  ROMI_ASSIGN_OR_RETURN(data::D4rlFile file, data::ReadD4rlFile(path));
  const std::pair<const char*, std::string> expected[] = {
      {"romi_task", generator.task},
      {"romi_recipe", generator.recipe},
      {"romi_seed", absl::StrCat(seed)},
      {"romi_rows", absl::StrCat(rows)},
      {"romi_fingerprint", data::FingerprintArrays(file)},
  };
  for (const auto& [key, value] : expected) {
    const auto found = file.metadata_strings.find(key);
    const std::string stored = found == file.metadata_strings.end() ? "<none>" : found->second;
    if (stored != value) {
      return absl::DataLossError(
          absl::StrCat(path, ": metadata/", key, " is '", stored, "', expected '", value, "'"));
    }
  }
  if (file.size() != rows) {
    return absl::DataLossError(absl::StrCat(path, ": ", file.size(), " rows, expected ", rows));
  }
  return file;
}

}  // namespace

absl::string_view DatasetOriginName(DatasetOrigin origin) {
  switch (origin) {
    case DatasetOrigin::kUserFile:
      return "user file";
    case DatasetOrigin::kCache:
      return "cache";
    case DatasetOrigin::kGenerated:
      return "generated";
  }
  return "unknown";
}

std::string MinariIdForTask(absl::string_view task) {
  const size_t dash = task.find('-');
  if (dash == absl::string_view::npos) return absl::StrCat("romi/", task);
  return absl::StrCat("romi/", task.substr(0, dash), "/", task.substr(dash + 1));
}

std::vector<std::string> UserDatasetDirs(const DatasetRequest& request) {
  if (!request.dataset_dir.empty()) return {request.dataset_dir};
  std::vector<std::string> dirs;
  if (const std::string dir = Env("ROMI_DATASET_DIR"); !dir.empty()) dirs.push_back(dir);
  if (const std::string home = Env("HOME"); !home.empty()) {
    dirs.push_back((fs::path(home) / ".romi" / "datasets").string());
  }
  return dirs;
}

std::string DatasetCacheDir(const DatasetRequest& request) {
  if (!request.cache_dir.empty()) return request.cache_dir;
  if (const std::string dir = Env("ROMI_DATASET_CACHE"); !dir.empty()) return dir;
  if (const std::string xdg = Env("XDG_CACHE_HOME"); !xdg.empty()) {
    return (fs::path(xdg) / "romi" / "datasets").string();
  }
  if (const std::string home = Env("HOME"); !home.empty()) {
    return (fs::path(home) / ".cache" / "romi" / "datasets").string();
  }
  return (fs::temp_directory_path() / "romi-datasets").string();
}

absl::StatusOr<std::string> CachedDatasetPath(const DatasetRequest& request) {
  ROMI_ASSIGN_OR_RETURN(const GeneratorInfo generator, FindGenerator(request.task));
  const int64_t rows = request.rows > 0 ? request.rows : generator.d4rl_rows;
  return (fs::path(DatasetCacheDir(request)) /
          absl::StrCat(request.task, "-seed", request.seed, "-rows", rows, ".hdf5"))
      .string();
}

absl::StatusOr<ResolvedDataset> ResolveDataset(const DatasetRequest& request) {
  if (request.task.empty()) return absl::InvalidArgumentError("dataset request without a task");
  if (request.rows < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        request.task, ": dataset rows must be >= 0 (0: full size), got ", request.rows));
  }
  const auto log = [&request](const ResolvedDataset& resolved) {
    if (request.log_to_stderr) std::fprintf(stderr, "%s\n", resolved.description.c_str());
    return resolved;
  };

  // 1. The user's own D4RL file.
  if (!request.path.empty()) {
    if (!IsFile(request.path)) {
      return absl::NotFoundError(
          absl::StrCat("dataset file ", request.path, " for ", request.task, " does not exist"));
    }
    ROMI_ASSIGN_OR_RETURN(ResolvedDataset resolved, ReadUserFile(request.path, request.rows));
    return log(resolved);
  }
  if (!request.minari_id.empty()) {
    ROMI_ASSIGN_OR_RETURN(ResolvedDataset resolved, ReadUserMinari(request, request.minari_id));
    return log(resolved);
  }
  const std::vector<std::string> dirs =
      request.search_user_files ? UserDatasetDirs(request) : std::vector<std::string>();
  for (const std::string& dir : dirs) {
    const std::string path = (fs::path(dir) / (request.task + ".hdf5")).string();
    if (IsFile(path)) {
      ROMI_ASSIGN_OR_RETURN(ResolvedDataset resolved, ReadUserFile(path, request.rows));
      return log(resolved);
    }
  }
  if (request.search_user_files) {
    const std::string id = MinariIdForTask(request.task);
    std::error_code missing;
    if (fs::is_directory(data::MinariDataDir(data::MinariRoot(request.minari_dir), id), missing)) {
      ROMI_ASSIGN_OR_RETURN(ResolvedDataset resolved, ReadUserMinari(request, id));
      return log(resolved);
    }
  }

  // 2. The cache.
  const absl::StatusOr<GeneratorInfo> generator = FindGenerator(request.task);
  if (!generator.ok()) {
    if (dirs.empty()) return generator.status();
    return absl::NotFoundError(
        absl::StrCat("no D4RL file ", request.task, ".hdf5 in ", absl::StrJoin(dirs, ", "),
                     ", no Minari dataset ", MinariIdForTask(request.task), " in ",
                     data::MinariRoot(request.minari_dir), "; and ", generator.status().message()));
  }
  const int64_t rows = request.rows > 0 ? request.rows : generator->d4rl_rows;
  ROMI_ASSIGN_OR_RETURN(const std::string cache_path, CachedDatasetPath(request));
  // One process generates a missing dataset while the others that want it (a suite's workers, a
  // cluster's array tasks on a shared cache) wait, then read the file it wrote.
  std::error_code error;
  fs::create_directories(fs::path(cache_path).parent_path(), error);
  std::unique_ptr<FileLock> generating;
  if (!error) {
    absl::StatusOr<std::unique_ptr<FileLock>> lock = FileLock::Acquire(cache_path + ".lock");
    // A cache that cannot be locked (a read-only directory) cannot be written either: the dataset
    // is then generated in memory, as below.
    if (lock.ok()) {
      generating = *std::move(lock);
      // The file a killed generator was writing: nobody else writes it while the lock is held.
      RemoveStaleTemporaries(fs::path(cache_path).parent_path().string(), /*recursive=*/false,
                             fs::path(cache_path).filename().string());
    }
  }
  std::string replaced;
  if (IsFile(cache_path)) {
    absl::StatusOr<data::D4rlFile> cached =
        ReadCachedFile(cache_path, *generator, rows, request.seed);
    if (cached.ok()) {
      return log({*std::move(cached), DatasetOrigin::kCache, cache_path,
                  absl::StrFormat("%s (%d rows, seed %d, %s) from the cache: %s", request.task,
                                  rows, request.seed, generator->recipe, cache_path)});
    }
    replaced = absl::StrCat("; replaced a bad cached file (", cached.status().message(), ")");
    if (request.log_to_stderr) {
      std::fprintf(stderr, "warning: cached dataset unusable, regenerating: %s\n",
                   std::string(cached.status().message()).c_str());
    }
  }

  // 3. Generation.
  GeneratorOptions options{rows, request.seed, nullptr};
  std::unique_ptr<ProgressBar> bar;
  if (request.log_to_stderr) {
    bar = std::make_unique<ProgressBar>("generating " + request.task, rows);
    options.progress = [&bar](int64_t done) { bar->Update(done); };
  }
  const absl::Time start = absl::Now();
  ROMI_ASSIGN_OR_RETURN(data::D4rlFile file, GenerateDataset(request.task, options));
  bar.reset();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  ResolvedDataset resolved{std::move(file), DatasetOrigin::kGenerated, cache_path, ""};
  absl::Status written = data::WriteD4rlFile(cache_path, resolved.file);
  if (!written.ok()) resolved.path.clear();
  resolved.description = absl::StrFormat(
      "generated %s (%d rows, seed %d, %s) in %.1f s; %s%s", request.task, rows, request.seed,
      generator->recipe, seconds,
      written.ok() ? "cached at " + cache_path : "not cached: " + std::string(written.message()),
      replaced);
  return log(resolved);
}

}  // namespace romi::datagen
