// Fuzzes reading the behaviour-policy manifest (datagen/policies/manifest.textproto) as the
// generators do: bytes as a file, ReadTextProto into a BehaviorPolicyManifest, and each entry's
// training settings resolved. Any input must give a manifest or an absl::Status. Seeds:
// testdata/manifest_fuzzer/ (written by //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "base/text_proto.h"
#include "datagen/policies/manifest.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "manifest.textproto");
  romi::datagen::BehaviorPolicyManifest manifest;
  if (!romi::ReadTextProto(path, &manifest).ok()) return 0;
  for (const romi::datagen::BehaviorPolicy& policy : manifest.policy()) {
    romi::datagen::OnlineSacConfig training = policy.training();
    romi::FillDefaults(&training);
  }
  return 0;
}
