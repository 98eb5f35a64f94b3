// Writes the seed inputs of the fuzz targets that read binary files (tools/fuzz.sh), each with the
// project's own writer and as small as the format allows, into the source tree:
//
//   data/testdata/hdf5_io_fuzzer/seed-*.hdf5           WriteD4rlFile
//   data/testdata/d4rl_file_fuzzer/seed-*              the same files in its input format
//   data/testdata/minari_fuzzer/seed-*                 WriteMinariDataset, and Dict observations
//   learners/nn/testdata/archive_io_fuzzer/seed-*.pt   SaveArchive + WriteTransitions
//   datagen/testdata/policy_file_fuzzer/seed-*.pt      SavePolicyFile
//   learners/testdata/learner_checkpoint_fuzzer/seed-*.pt  Learner::Save of the fuzzed learners
//   datagen/testdata/manifest_fuzzer/seed-*.textproto  a BehaviorPolicyManifest, defaults resolved
//
//   bazel run //datagen:write_fuzz_seeds            (into the workspace bazel runs from)
//   bazel run //datagen:write_fuzz_seeds -- <dir>   (into another checkout)
//
// The text-format targets in eval/ start from eval/configs and a committed run config instead.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "data/d4rl_file.h"
#include "data/d4rl_fuzz_input.h"
#include "data/hdf5_io.h"
#include "data/minari.h"
#include "data/minari_fuzz_input.h"
#include "data/transitions.h"
#include "datagen/online_sac.h"
#include "datagen/policies/manifest.pb.h"
#include "datagen/policy_file.h"
#include "envs/env.h"
#include "google/protobuf/text_format.h"
#include "learners/learner_checkpoint_fuzz_input.h"
#include "learners/nn/archive_io.h"

namespace romi::datagen {
namespace {

namespace fs = std::filesystem;

// A 5-row file with every kind of key the reader handles: flags, stored successors, infos/,
// numeric and string metadata; one episode ends by a terminal, one by a timeout.
data::D4rlFile TinyD4rlFile(bool optional_keys) {
  data::D4rlFile file;
  file.observations = torch::arange(10, torch::kFloat32).reshape({5, 2});
  file.actions = torch::tensor({0.5f, -0.5f, 0.25f, 0.0f, 1.0f}).reshape({5, 1});
  file.rewards = torch::tensor({1.0f, 0.0f, -1.0f, 2.0f, 0.5f});
  file.terminals = torch::tensor({0.0f, 1.0f, 0.0f, 0.0f, 0.0f});
  if (optional_keys) {
    file.timeouts = torch::tensor({0.0f, 0.0f, 0.0f, 1.0f, 0.0f});
    file.next_observations = file.observations + 1;
    file.infos["qpos"] = torch::zeros({5, 3});
    file.metadata["policy/fc0/weight"] = torch::ones({2, 2});
    file.metadata_strings["algorithm"] = "fuzz";
  }
  return file;
}

// The seeds of minari_fuzzer: TinyD4rlFile(true) as WriteMinariDataset lays it out (three
// episodes, Box observations, infos), and the same episodes with pointmaze-like Dict observations.
absl::Status WriteMinariSeeds(const fs::path& folder) {
  const std::string dir =
      (fs::temp_directory_path() / absl::StrCat("romi-minari-seed-", ::getpid()) / "data").string();
  data::MinariWriteOptions options;
  options.dataset_id = "romi/fuzz/tiny-v0";
  ROMI_RETURN_IF_ERROR(data::WriteMinariDataset(dir, TinyD4rlFile(true), options));
  std::ifstream in(dir + "/metadata.json");
  const std::string metadata((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<data::Hdf5Reader> reader,
                        data::Hdf5Reader::Open(dir + "/main_data.hdf5"));
  std::map<std::string, torch::Tensor> arrays;
  for (const data::Hdf5KeyInfo& info : reader->keys()) {
    ROMI_ASSIGN_OR_RETURN(arrays[info.key], reader->ReadFloat(info.key));
  }
  std::error_code error;
  fs::remove_all(fs::path(dir).parent_path(), error);
  ROMI_RETURN_IF_ERROR(WriteStringAtomically((folder / "seed-box").string(),
                                             data::EncodeMinariFuzzInput(metadata, arrays)));

  const std::string box = R"({\"type\": \"Box\", \"dtype\": \"float64\", \"shape\": [2], )"
                          R"(\"low\": [-Infinity, -Infinity], \"high\": [Infinity, Infinity]})";
  const std::string dict_metadata = absl::StrCat(
      R"({"total_episodes": 3, "total_steps": 5, "data_format": "hdf5", )",
      R"("minari_version": "0.4.3", "dataset_id": "D4RL/pointmaze/tiny-v2", )",
      R"("observation_space": "{\"type\": \"Dict\", \"subspaces\": {\"desired_goal\": )", box,
      R"(, \"observation\": )", box, R"(}}", "action_space": "{\"type\": \"Box\", )",
      R"(\"dtype\": \"float32\", \"shape\": [1], \"low\": [-1.0], \"high\": [1.0]}"})");
  std::map<std::string, torch::Tensor> dict_arrays;
  for (const auto& [key, values] : arrays) {
    if (absl::EndsWith(key, "/observations")) {
      dict_arrays[key + "/observation"] = values;
      dict_arrays[key + "/desired_goal"] = -values;
    } else {
      dict_arrays[key] = values;
    }
  }
  return WriteStringAtomically((folder / "seed-dict").string(),
                               data::EncodeMinariFuzzInput(dict_metadata, dict_arrays));
}

absl::Status WriteTransitionTable(const std::string& path) {
  data::Transitions table;
  table.observations = torch::arange(6, torch::kFloat32).reshape({3, 2});
  table.actions = torch::tensor({0.5f, -0.5f, 0.0f}).reshape({3, 1});
  table.rewards = torch::tensor({1.0f, 0.0f, -1.0f});
  table.next_observations = table.observations + 1;
  table.terminals = torch::tensor({0.0f, 0.0f, 1.0f});
  torch::serialize::OutputArchive archive;
  learners::WriteTransitions(archive, table);
  return learners::SaveArchive(archive, path);
}

// A SAC policy of 2 observations, 1 action and one hidden layer of 3: a policy file of a few KB.
absl::Status WritePolicy(const std::string& path) {
  envs::EnvSpec spec;
  spec.task = "fuzz";
  spec.obs_dim = 2;
  spec.act_dim = 1;
  spec.action_low = {-1.0};
  spec.action_high = {1.0};
  learners::SacConfig sac;
  sac.add_policy_hidden(3);
  sac.add_critic_hidden(3);
  ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner, MakeSacLearner(spec, sac, 0));
  return SavePolicyFile(*learner, "policy", SacPolicyOptions(spec, sac), path);
}

// A checkpoint of each fuzzed learner after two updates (so its optimizers hold state).
absl::Status WriteLearnerCheckpoints(const fs::path& folder) {
  for (const std::string& algorithm : learners::FuzzedLearnerAlgorithms()) {
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<learners::Learner> learner,
                          learners::MakeFuzzedLearner(algorithm));
    for (int i = 0; i < 2; ++i) learner->Update(learners::FuzzBatch());
    ROMI_RETURN_IF_ERROR(learner->Save((folder / ("seed-" + algorithm + ".pt")).string()));
  }
  return absl::OkStatus();
}

absl::Status WriteManifest(const std::string& path) {
  BehaviorPolicyManifest manifest;
  BehaviorPolicy* policy = manifest.add_policy();
  policy->set_name("hopper-medium");
  policy->set_env("hopper");
  policy->set_level("medium");
  policy->set_task("hopper-medium-v2");
  policy->set_train_steps(70000);
  policy->mutable_training()->set_seed(0);
  policy->set_notes("a seed for the manifest fuzzer");
  FillDefaults(policy);  // FillDefaults leaves repeated fields (the entries) as they are
  std::string text;
  google::protobuf::TextFormat::PrintToString(manifest, &text);
  return WriteStringAtomically(path, text);
}

absl::Status WriteSeeds(const fs::path& root) {
  const auto folder = [&root](const std::string& name) {
    const fs::path path = root / name;
    fs::create_directories(path);
    return path;
  };
  const fs::path hdf5 = folder("data/testdata/hdf5_io_fuzzer");
  const fs::path d4rl = folder("data/testdata/d4rl_file_fuzzer");
  for (const bool optional_keys : {true, false}) {
    const std::string name = optional_keys ? "seed-all-keys" : "seed-required-keys";
    const data::D4rlFile file = TinyD4rlFile(optional_keys);
    ROMI_RETURN_IF_ERROR(data::WriteD4rlFile((hdf5 / (name + ".hdf5")).string(), file));
    ROMI_RETURN_IF_ERROR(
        WriteStringAtomically((d4rl / name).string(), data::EncodeD4rlFuzzInput(file)));
  }
  ROMI_RETURN_IF_ERROR(WriteMinariSeeds(folder("data/testdata/minari_fuzzer")));
  ROMI_RETURN_IF_ERROR(WriteTransitionTable(
      (folder("learners/nn/testdata/archive_io_fuzzer") / "seed-transitions.pt").string()));
  ROMI_RETURN_IF_ERROR(
      WritePolicy((folder("datagen/testdata/policy_file_fuzzer") / "seed-policy.pt").string()));
  ROMI_RETURN_IF_ERROR(
      WriteLearnerCheckpoints(folder("learners/testdata/learner_checkpoint_fuzzer")));
  return WriteManifest(
      (folder("datagen/testdata/manifest_fuzzer") / "seed-manifest.textproto").string());
}

}  // namespace
}  // namespace romi::datagen

int main(int argc, char** argv) {
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string root = argc > 1 ? argv[1] : workspace != nullptr ? workspace : ".";
  const absl::Status status = romi::datagen::WriteSeeds(root);
  if (!status.ok()) {
    std::fprintf(stderr, "write_fuzz_seeds: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("write_fuzz_seeds: wrote the fuzz seeds under %s\n", root.c_str());
  return 0;
}
