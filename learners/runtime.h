// Where and how wide learners run: the --device and --threads settings of the binaries.
//
//   ParseDevice("cpu" | "cuda" | "cuda:N")  a torch::Device; cuda is refused (FailedPrecondition)
//                                           when this LibTorch build or machine has no CUDA
//   SetIntraOpThreads(n)                    torch's intra-op thread count; n <= 0 means one per
//                                           core (the default)
#ifndef ROMI_LEARNERS_RUNTIME_H_
#define ROMI_LEARNERS_RUNTIME_H_

#include <string>

#include <torch/torch.h>

#include "absl/status/statusor.h"

namespace romi::learners {

absl::StatusOr<torch::Device> ParseDevice(const std::string& name);

// Returns the thread count now in effect.
int SetIntraOpThreads(int threads);

}  // namespace romi::learners

#endif  // ROMI_LEARNERS_RUNTIME_H_
