// Fuzzes reading a stored transition table (the pipeline's model buffer, online SAC's replay
// buffer): bytes as a file, LoadArchive, then ReadTransitions. Any input must give a table or an
// absl::Status, and a table it gives must be what data/transitions.h promises its users (who index
// rows and widths without further checks): float32 columns, observations, actions and successors
// [N, width], rewards and terminals [N]. Seeds: testdata/archive_io_fuzzer/ (written by
// //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/fuzz_input.h"
#include "data/transitions.h"
#include "learners/nn/archive_io.h"

namespace {

void Expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "archive_io_fuzzer: ReadTransitions accepted a table where %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "input.pt");
  torch::serialize::InputArchive archive;
  if (!romi::learners::LoadArchive(path, archive).ok()) return 0;
  romi::data::Transitions table;
  if (!romi::learners::ReadTransitions(archive, path, table).ok()) return 0;
  Expect(table.observations.dim() == 2 && table.actions.dim() == 2, "a width column is not 2-D");
  const int64_t rows = table.size();
  Expect(table.next_observations.sizes() == table.observations.sizes(),
         "successors and observations differ in shape");
  Expect(table.actions.size(0) == rows, "actions have another row count");
  Expect(table.rewards.dim() == 1 && table.rewards.size(0) == rows, "rewards are not [N]");
  Expect(table.terminals.dim() == 1 && table.terminals.size(0) == rows, "terminals are not [N]");
  for (const torch::Tensor* column : {&table.observations, &table.actions, &table.rewards,
                                      &table.next_observations, &table.terminals}) {
    Expect(column->scalar_type() == torch::kFloat32 && column->device().is_cpu(),
           "a column is not a float32 CPU tensor");
  }
  if (rows > 0) table.Select(torch::zeros({1}, torch::kInt64));
  return 0;
}
