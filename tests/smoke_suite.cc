#include "tests/smoke_suite.h"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/event_file.h"
#include "datagen/dataset_source.h"
#include "eval/methods.h"
#include "google/protobuf/text_format.h"

namespace romi::eval {

SuiteOptions SmokeSuite(const std::filesystem::path& root) {
  SuiteOptions options;
  options.tasks = {"maze2d-umaze-v1"};
  options.methods = MethodNames();
  options.seeds = {0};
  options.budget = *LoadBudget("eval/configs/budget_smoke.textproto");
  options.paper = *LoadPaperScores("eval/paper_scores.textproto");
  options.out_dir = (root / "suite").string();
  options.progress = false;
  datagen::DatasetRequest request;
  request.search_user_files = false;
  request.cache_dir = (root / "cache").string();
  request.log_to_stderr = false;
  options.datasets = DatasetSourceProvider(request);
  return options;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Learned(RunResult run) {
  run.clear_wall_seconds();
  run.clear_run_dir();
  run.clear_dataset_source();  // "generated" in the first process to ask, "from the cache" after
  std::string text;
  google::protobuf::TextFormat::PrintToString(run, &text);
  return text;
}

namespace {

void CollectTensors(torch::serialize::InputArchive& archive, const std::string& prefix,
                    std::map<std::string, torch::Tensor>* out) {
  for (const std::string& key : archive.keys()) {
    torch::serialize::InputArchive child;
    if (archive.try_read(key, child)) {
      CollectTensors(child, prefix + key + "/", out);
      continue;
    }
    c10::IValue value;
    // Optimizer state is keyed by parameter addresses, which differ between processes.
    if (prefix.rfind("optimizer", 0) == 0) continue;
    if (archive.try_read(key, value) && value.isTensor()) (*out)[prefix + key] = value.toTensor();
  }
}

}  // namespace

std::map<std::string, torch::Tensor> CheckpointTensors(const std::filesystem::path& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path.string());
  std::map<std::string, torch::Tensor> tensors;
  CollectTensors(archive, "", &tensors);
  return tensors;
}

std::string CheckpointDifference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const std::map<std::string, torch::Tensor> first = CheckpointTensors(a);
  const std::map<std::string, torch::Tensor> second = CheckpointTensors(b);
  if (first.size() != second.size() || first.size() < 10) {
    return absl::StrCat(first.size(), " tensors in ", a.string(), ", ", second.size(), " in ",
                        b.string());
  }
  for (const auto& [key, tensor] : first) {
    if (!second.count(key)) return absl::StrCat(key, " is missing from ", b.string());
    if (!torch::equal(tensor, second.at(key))) return absl::StrCat(key, " differs");
  }
  return "";
}

Scalars EventScalars(const std::filesystem::path& run_dir, std::string* problem) {
  problem->clear();
  Scalars by_tag;
  const absl::StatusOr<std::vector<ScalarEvent>> events =
      ReadEventFile((run_dir / "events.out.tfevents.0.romi").string());
  if (!events.ok()) {
    *problem = std::string(events.status().message());
    return by_tag;
  }
  for (const ScalarEvent& event : *events) {
    if (!by_tag[event.tag].emplace(event.step, event.value).second && problem->empty()) {
      *problem = absl::StrCat(event.tag, " step ", event.step, " written twice");
    }
  }
  return by_tag;
}

}  // namespace romi::eval
