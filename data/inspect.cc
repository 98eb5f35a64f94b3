// Inspects a D4RL-layout HDF5 file: what it holds and what the loader builds from it.
//
//   bazel run //data:inspect -- /path/to/maze2d-umaze-v1.hdf5 [--keep_timeouts]
//       [--max_episode_steps=300]
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "data/dataset.h"
#include "data/hdf5_io.h"

ABSL_FLAG(bool, keep_timeouts, false,
          "Use stored next_observations and keep timeout rows instead of d4rl's qlearning_dataset "
          "semantics.");
ABSL_FLAG(int, max_episode_steps, 0,
          "Episode length for files without a 'timeouts' key (e.g. 1000 for gym-mujoco).");

namespace romi::data {
namespace {

int Inspect(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Hdf5Reader>> reader = Hdf5Reader::Open(path);
  if (!reader.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(reader.status().message()).c_str());
    return 1;
  }
  std::printf("file: %s\n\nkeys:\n", path.c_str());
  for (const Hdf5KeyInfo& key : (*reader)->keys()) {
    std::printf("  %-36s %-16s %s\n", key.key.c_str(), ShapeString(key.shape).c_str(),
                key.dtype.c_str());
  }
  reader->reset();  // the loader opens the file itself

  DatasetOptions options;
  options.set_keep_timeouts(absl::GetFlag(FLAGS_keep_timeouts));
  options.set_max_episode_steps(absl::GetFlag(FLAGS_max_episode_steps));
  const absl::StatusOr<Dataset> dataset = Dataset::Load(path, options);
  if (!dataset.ok()) {
    std::fprintf(stderr, "\nerror: %s\n", std::string(dataset.status().message()).c_str());
    return 1;
  }
  const LoadSummary& s = dataset->summary();
  std::printf("\nrows in the file: %lld   obs_dim: %lld   act_dim: %lld\n",
              static_cast<long long>(s.file_rows), static_cast<long long>(dataset->obs_dim()),
              static_cast<long long>(dataset->act_dim()));
  std::printf("\nthe loader builds (%s%s):\n",
              s.used_next_observations ? "stored next_observations, timeout rows kept"
                                       : "d4rl qlearning_dataset semantics",
              s.timeouts_from_step_count ? "; no 'timeouts' key, episode ends by step count" : "");
  std::printf("  transitions        %lld\n", static_cast<long long>(s.transitions));
  std::printf("  dropped timeouts   %lld\n", static_cast<long long>(s.dropped_timeouts));
  std::printf("  kept timeouts      %lld\n", static_cast<long long>(s.kept_timeouts));
  std::printf("  dropped last row   %lld\n", static_cast<long long>(s.dropped_last_row));
  std::printf("  terminals kept     %lld\n", static_cast<long long>(s.terminals));
  std::printf("  episodes           %lld\n", static_cast<long long>(s.episodes));

  const torch::Tensor returns = dataset->episode_returns();
  const torch::Tensor lengths = torch::tensor(dataset->episode_offsets(), torch::kFloat64).diff();
  std::printf("\nepisode returns: mean %.4f  std %.4f  min %.4f  max %.4f\n",
              returns.mean().item<double>(),
              returns.numel() > 1 ? returns.std().item<double>() : 0.0,
              returns.min().item<double>(), returns.max().item<double>());
  std::printf("episode lengths: mean %.1f  min %.0f  max %.0f\n", lengths.mean().item<double>(),
              lengths.min().item<double>(), lengths.max().item<double>());
  const torch::Tensor& rewards = dataset->transitions().rewards;
  std::printf("rewards:         mean %.4f  std %.4f  min %.4f  max %.4f\n",
              rewards.mean().item<float>(), rewards.std().item<float>(),
              rewards.min().item<float>(), rewards.max().item<float>());
  return 0;
}

}  // namespace
}  // namespace romi::data

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Usage: inspect [flags] <file.hdf5>");
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  return romi::data::Inspect(args[1]);
}
