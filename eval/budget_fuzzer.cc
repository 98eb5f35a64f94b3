// Fuzzes a suite budget (eval/configs/budget_*.textproto) as the suite reads and uses it: bytes as
// a file, LoadBudget, then every method's RunConfig for a task under that budget. Any input must
// give a budget or an absl::Status. Seeds: eval/configs/*.textproto.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "eval/methods.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "budget.textproto");
  const absl::StatusOr<romi::eval::Budget> budget = romi::eval::LoadBudget(path);
  if (!budget.ok()) return 0;
  romi::eval::TaskConfig task;
  task.set_task("hopper-medium-v2");
  for (const std::string& method : romi::eval::MethodNames()) {
    romi::eval::MethodRunConfig(method, task, *budget, 0).IgnoreError();
  }
  return 0;
}
