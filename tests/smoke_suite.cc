#include "tests/smoke_suite.h"

#include <fstream>
#include <iterator>

#include "datagen/dataset_source.h"
#include "eval/methods.h"

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

}  // namespace romi::eval
