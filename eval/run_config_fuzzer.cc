// Fuzzes a run directory's resolved config (config.textproto, a romi.RunConfig) as a resumed run
// reads it: bytes as the file, WriteOrCheckConfig against a resolved config (which reads the file,
// resolves both and compares them), and the file read and resolved on its own. Any input must
// give a config or an absl::Status. Seeds: testdata/run_config_fuzzer/ (a run's config.textproto).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "base/text_proto.h"
#include "romi/pipeline.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "config.textproto");
  romi::RunConfig config;
  if (romi::ReadTextProto(path, &config, absl::StatusCode::kDataLoss).ok()) {
    romi::FillDefaults(&config);
  }
  romi::RunConfig resolved;
  romi::FillDefaults(&resolved);
  romi::WriteOrCheckConfig(resolved, path, [](google::protobuf::Message* message) {
    romi::FillDefaults(message);
  }).IgnoreError();
  return 0;
}
