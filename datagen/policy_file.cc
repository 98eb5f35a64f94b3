#include "datagen/policy_file.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/nn/archive_io.h"

namespace romi::datagen {

absl::Status SavePolicyFile(const learners::Learner& learner, const std::string& module,
                            const learners::TanhGaussianPolicyOptions& options,
                            const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write("obs_dim", torch::tensor({options.obs_dim}, torch::kLong));
  archive.write("act_dim", torch::tensor({options.act_dim}, torch::kLong));
  archive.write("hidden", torch::tensor(options.hidden, torch::kLong));
  archive.write("log_std_bounds",
                torch::tensor({options.log_std_min, options.log_std_max}, torch::kDouble));
  archive.write("max_action", torch::tensor({options.max_action}, torch::kDouble));
  const std::string prefix = module + ".";
  int written = 0;
  for (const auto& item : learner.named_parameters()) {
    if (!absl::StartsWith(item.key(), prefix)) continue;
    archive.write("weights/" + item.key().substr(prefix.size()), item.value().detach().cpu());
    ++written;
  }
  if (written == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the learner has no parameters under '", module, "'"));
  }
  return learners::SaveArchive(archive, path);
}

absl::StatusOr<learners::TanhGaussianPolicy> LoadPolicyFile(const std::string& path) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  learners::TanhGaussianPolicyOptions options;
  torch::Tensor obs_dim, act_dim, hidden, log_std_bounds, max_action;
  try {
    archive.read("obs_dim", obs_dim);
    archive.read("act_dim", act_dim);
    archive.read("hidden", hidden);
    archive.read("log_std_bounds", log_std_bounds);
    archive.read("max_action", max_action);
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a policy file: ", error.what_without_backtrace()));
  }
  options.obs_dim = obs_dim.item<int64_t>();
  options.act_dim = act_dim.item<int64_t>();
  options.hidden.clear();
  for (int64_t i = 0; i < hidden.numel(); ++i) options.hidden.push_back(hidden[i].item<int64_t>());
  options.log_std_min = log_std_bounds[0].item<double>();
  options.log_std_max = log_std_bounds[1].item<double>();
  options.max_action = max_action.item<double>();
  learners::TanhGaussianPolicy policy(options);
  torch::NoGradGuard no_grad;
  for (auto& item : policy->named_parameters()) {
    torch::Tensor stored;
    try {
      archive.read("weights/" + item.key(), stored);
    } catch (const c10::Error& error) {
      return absl::DataLossError(absl::StrCat(path, ": missing weights/", item.key()));
    }
    if (stored.sizes() != item.value().sizes()) {
      return absl::DataLossError(absl::StrCat(path, ": weights/", item.key(), " has shape ",
                                              c10::str(stored.sizes()), ", expected ",
                                              c10::str(item.value().sizes())));
    }
    item.value().copy_(stored);
  }
  policy->eval();
  return policy;
}

}  // namespace romi::datagen
