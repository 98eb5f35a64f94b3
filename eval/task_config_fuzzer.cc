// Fuzzes a task's paper settings (eval/configs/<task>.textproto) as the suite reads and uses them:
// bytes as <task>.textproto, LoadTaskConfig, then every method's RunConfig built from what parses.
// Any input must give a config or an absl::Status. Seeds: eval/configs/*.textproto.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "base/text_proto.h"
#include "eval/methods.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "fuzz-task-v0.textproto");
  romi::eval::LoadTaskConfig(romi::fuzz::InputDir(), "fuzz-task-v0").IgnoreError();
  // LoadTaskConfig also wants the file to name its own task, which a seed for another task does
  // not: build the methods from anything that parses.
  romi::eval::TaskConfig task;
  if (!romi::ReadTextProto(path, &task).ok()) return 0;
  const romi::eval::Budget budget;
  for (const std::string& method : romi::eval::MethodNames()) {
    romi::eval::MethodRunConfig(method, task, budget, 0).IgnoreError();
    romi::eval::MethodRunConfig(method + "@h3", task, budget, 0).IgnoreError();
  }
  return 0;
}
