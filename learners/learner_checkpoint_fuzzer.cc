// Fuzzes resuming a learner from its checkpoint: bytes as learner.pt, Learner::Load into a small
// BC, BCQ and CQL learner (learner_checkpoint_fuzz_input.h), and for a file that loads, an update
// and a batch of actions, as a resumed run would do next. Any input must load with an
// absl::Status error or give a learner that updates and acts with the shapes it had: a checkpoint
// is read back after crashes, full disks and configuration changes. Seeds:
// testdata/learner_checkpoint_fuzzer/ (written by //datagen:write_fuzz_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "base/fuzz_input.h"
#include "learners/learner_checkpoint_fuzz_input.h"

namespace {

using romi::learners::Learner;

void Expect(bool condition, const std::string& what) {
  if (!condition) {
    std::fprintf(stderr, "learner_checkpoint_fuzzer: %s\n", what.c_str());
    std::abort();
  }
}

// Made once: loading replaces every tensor's values, never a learner's shapes.
std::map<std::string, std::unique_ptr<Learner>>& Learners() {
  static auto* const learners = [] {
    auto* made = new std::map<std::string, std::unique_ptr<Learner>>;
    for (const std::string& algorithm : romi::learners::FuzzedLearnerAlgorithms()) {
      auto learner = romi::learners::MakeFuzzedLearner(algorithm);
      Expect(learner.ok(), "cannot make the " + algorithm + " learner");
      (*made)[algorithm] = std::move(*learner);
    }
    return made;
  }();
  return *learners;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  torch::set_num_threads(1);
  const std::string path = romi::fuzz::WriteInputFile(data, size, "learner.pt");
  for (auto& [algorithm, learner] : Learners()) {
    if (!learner->Load(path).ok()) continue;
    learner->Update(romi::learners::FuzzBatch());
    const torch::Tensor actions = learner->Act(romi::learners::FuzzBatch().observations, true);
    Expect(actions.dim() == 2 && actions.size(0) == 16 && actions.size(1) == 2,
           algorithm + " acts with shape " + c10::str(actions.sizes()) + " after loading");
  }
  return 0;
}
