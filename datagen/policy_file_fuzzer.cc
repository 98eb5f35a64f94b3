// Fuzzes the policy-file loader (the shipped behaviour policies' format): bytes as a file,
// LoadPolicyFile, and one action from the policy it gives. Any input must give a usable policy
// or an absl::Status. Seeds: testdata/policy_file_fuzzer/ (written by //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/fuzz_input.h"
#include "datagen/policy_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = romi::fuzz::WriteInputFile(data, size, "input.pt");
  absl::StatusOr<romi::learners::TanhGaussianPolicy> policy = romi::datagen::LoadPolicyFile(path);
  if (!policy.ok()) return 0;
  torch::NoGradGuard no_grad;
  (*policy)->Deterministic(torch::zeros({1, (*policy)->options().obs_dim}));
  return 0;
}
