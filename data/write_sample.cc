// Writes a synthetic point-mass dataset (data/synthetic.h) in D4RL's layout, e.g. to try the
// inspector and the loader without any downloaded file.
//
//   bazel run //data:write_sample -- /tmp/romi-sample.hdf5 [--rows=100000] [--seed=0]
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "data/d4rl_file.h"
#include "data/synthetic.h"

ABSL_FLAG(int64_t, rows, 100000, "Rows to write.");
ABSL_FLAG(int64_t, episode_steps, 200, "Time limit of an episode.");
ABSL_FLAG(uint64_t, seed, 0, "Random seed.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Usage: write_sample [flags] <out.hdf5>");
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  const romi::data::D4rlFile file = romi::data::MakePointMassDataset(
      absl::GetFlag(FLAGS_rows), absl::GetFlag(FLAGS_episode_steps), absl::GetFlag(FLAGS_seed));
  if (const absl::Status status = romi::data::WriteD4rlFile(args[1], file); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("wrote %lld rows to %s\n", static_cast<long long>(file.size()), args[1]);
  return 0;
}
