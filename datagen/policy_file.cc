#include "datagen/policy_file.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

namespace {

// The number of parameters of the policy network `options` describes (obs -> hidden... ->
// 2 * act, each layer weights and biases), or -1 when a width is not positive or the count
// overflows.
int64_t ParameterCount(const learners::TanhGaussianPolicyOptions& options) {
  std::vector<int64_t> widths = {options.obs_dim};
  widths.insert(widths.end(), options.hidden.begin(), options.hidden.end());
  int64_t out = 0;
  if (__builtin_mul_overflow(options.act_dim, 2, &out)) return -1;
  widths.push_back(out);
  int64_t count = 0;
  for (size_t i = 0; i < widths.size(); ++i) {
    if (widths[i] <= 0) return -1;
    int64_t inputs = 0;  // with the bias
    int64_t layer = 0;
    if (i > 0 && (__builtin_add_overflow(widths[i - 1], 1, &inputs) ||
                  __builtin_mul_overflow(inputs, widths[i], &layer) ||
                  __builtin_add_overflow(count, layer, &count))) {
      return -1;
    }
  }
  return count;
}

}  // namespace

absl::StatusOr<learners::TanhGaussianPolicy> LoadPolicyFile(const std::string& path) {
  torch::serialize::InputArchive archive;
  ROMI_RETURN_IF_ERROR(learners::LoadArchive(path, archive));
  learners::TanhGaussianPolicyOptions options;
  torch::Tensor obs_dim, act_dim, hidden, log_std_bounds, max_action;
  for (const auto& [key, tensor] :
       {std::pair{"obs_dim", &obs_dim}, std::pair{"act_dim", &act_dim},
        std::pair{"hidden", &hidden}, std::pair{"log_std_bounds", &log_std_bounds},
        std::pair{"max_action", &max_action}}) {
    if (absl::Status status = learners::ReadTensor(archive, key, path, *tensor); !status.ok()) {
      return absl::DataLossError(absl::StrCat("not a policy file: ", status.message()));
    }
  }
  try {
    // item() throws on a tensor of another size.
    options.obs_dim = obs_dim.item<int64_t>();
    options.act_dim = act_dim.item<int64_t>();
    options.hidden.clear();
    const torch::Tensor widths = hidden.reshape({-1});
    for (int64_t i = 0; i < widths.numel(); ++i) {
      options.hidden.push_back(widths[i].item<int64_t>());
    }
    options.log_std_min = log_std_bounds.reshape({-1})[0].item<double>();
    options.log_std_max = log_std_bounds.reshape({-1})[1].item<double>();
    options.max_action = max_action.item<double>();
  } catch (const c10::Error& error) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a policy file: ", error.what_without_backtrace()));
  }
  // The file is untrusted and the network is allocated from its widths before any weight is
  // read: the weights they imply must fit in the file (torch stores them uncompressed, 4 bytes
  // each), or a corrupt width (an overflowing 2 * act_dim, a width of 10^12) would crash or
  // exhaust memory. The bounds and the scale must be finite and ordered.
  std::error_code error;
  const uintmax_t file_bytes = std::filesystem::file_size(path, error);
  const int64_t parameters = ParameterCount(options);
  if (error || parameters < 0 || static_cast<uintmax_t>(parameters) > file_bytes / 4) {
    return absl::DataLossError(absl::StrCat(path, ": widths obs ", options.obs_dim, ", hidden [",
                                            absl::StrJoin(options.hidden, ", "), "], act ",
                                            options.act_dim, " do not fit in the file"));
  }
  // Finite float32 values: the network clamps and scales its float32 outputs by them.
  const auto is_float = [](double v) {
    return std::isfinite(v) && std::abs(v) <= std::numeric_limits<float>::max();
  };
  if (!is_float(options.log_std_min) || !is_float(options.log_std_max) ||
      options.log_std_min > options.log_std_max || !is_float(options.max_action) ||
      options.max_action <= 0) {
    return absl::DataLossError(absl::StrCat(path, ": bad log_std_bounds [", options.log_std_min,
                                            ", ", options.log_std_max, "] or max_action ",
                                            options.max_action));
  }
  learners::TanhGaussianPolicy policy(options);
  torch::NoGradGuard no_grad;
  for (auto& item : policy->named_parameters()) {
    torch::Tensor stored;
    ROMI_RETURN_IF_ERROR(learners::ReadTensor(archive, "weights/" + item.key(), path, stored));
    if (stored.sizes() != item.value().sizes()) {
      return absl::DataLossError(absl::StrCat(path, ": weights/", item.key(), " has shape ",
                                              c10::str(stored.sizes()), ", expected ",
                                              c10::str(item.value().sizes())));
    }
    try {
      item.value().copy_(stored);
    } catch (const c10::Error& error) {
      return absl::DataLossError(
          absl::StrCat(path, ": weights/", item.key(), ": ", error.what_without_backtrace()));
    }
    if (!torch::isfinite(item.value()).all().item<bool>()) {
      return absl::DataLossError(absl::StrCat(path, ": weights/", item.key(), " holds NaN or Inf"));
    }
  }
  policy->eval();
  return policy;
}

}  // namespace romi::datagen
