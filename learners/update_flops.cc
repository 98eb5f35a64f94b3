#include "learners/update_flops.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace romi::learners {
namespace {

// What a pass through a network computes besides the forward pass (see the header).
enum class Backward {
  kNone,        // forward only (targets, no-grad sampling)
  kInputsOnly,  // frozen weights, gradients flow through to the input (an actor's loss via Q)
  kWeights,     // trained, the input is data: no gradient for the first layer's input
  kAll,         // trained, and the input itself needs a gradient (e.g. the VAE decoder's z)
};

// An MLP's widths, input first and output last.
std::vector<int64_t> Widths(int64_t input, const std::vector<int64_t>& hidden, int64_t output) {
  std::vector<int64_t> widths = {input};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(output);
  return widths;
}

// FLOPs of `members` identical MLPs with `widths` on `rows` rows each.
double NetworkFlops(const std::vector<int64_t>& widths, double rows, Backward backward,
                    int members = 1) {
  double flops = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    const double forward = 2.0 * rows * static_cast<double>(widths[i] * widths[i + 1]);
    double passes = 1;
    if (backward == Backward::kWeights || backward == Backward::kAll) passes += 1;
    if (backward == Backward::kInputsOnly || backward == Backward::kAll ||
        (backward == Backward::kWeights && i > 0)) {
      passes += 1;
    }
    flops += passes * forward;
  }
  return members * flops;
}

double BcFlops(const LearnerOptions& options, double b) {
  const BcConfig& config = options.config.bc();
  return NetworkFlops(Widths(options.obs_dim, WidthsOf(config.hidden()), 2 * options.act_dim), b,
                      Backward::kWeights);
}

double BcqFlops(const LearnerOptions& options, double b) {
  const BcqConfig& config = options.config.bcq();
  const int64_t obs = options.obs_dim;
  const int64_t act = options.act_dim;
  const int64_t latent = 2 * act;
  const std::vector<int64_t> vae_hidden = WidthsOf(config.vae_hidden());
  const std::vector<int64_t> encoder = Widths(obs + act, vae_hidden, 2 * latent);
  const std::vector<int64_t> decoder = Widths(obs + latent, vae_hidden, act);
  const std::vector<int64_t> actor = Widths(obs + act, WidthsOf(config.actor_hidden()), act);
  const std::vector<int64_t> critic = Widths(obs + act, WidthsOf(config.critic_hidden()), 1);
  const double n = config.target_samples();
  return NetworkFlops(encoder, b, Backward::kWeights) + NetworkFlops(decoder, b, Backward::kAll) +
         // Target: VAE actions for n copies of each next state, perturbed, twin target critics.
         NetworkFlops(decoder, b * n, Backward::kNone) +
         NetworkFlops(actor, b * n, Backward::kNone) +
         NetworkFlops(critic, b * n, Backward::kNone, 2) +
         NetworkFlops(critic, b, Backward::kWeights, 2) +
         // Actor: VAE candidates (no-grad), perturbed, scored by Q1 with frozen weights.
         NetworkFlops(decoder, b, Backward::kNone) + NetworkFlops(actor, b, Backward::kWeights) +
         NetworkFlops(critic, b, Backward::kInputsOnly);
}

double CqlFlops(const LearnerOptions& options, double b) {
  const CqlConfig& config = options.config.cql();
  const std::vector<int64_t> policy =
      Widths(options.obs_dim, WidthsOf(config.policy_hidden()), 2 * options.act_dim);
  const std::vector<int64_t> critic =
      Widths(options.obs_dim + options.act_dim, WidthsOf(config.critic_hidden()), 1);
  const double n = config.num_sampled_actions();
  // Policy samples at s and s' for the critic loss (no-grad), then the policy's own sample.
  return NetworkFlops(policy, 2 * b, Backward::kNone) +
         NetworkFlops(policy, b, Backward::kWeights) +
         // Policy loss through both critics with frozen weights; target critics on (s', a').
         NetworkFlops(critic, b, Backward::kInputsOnly, 2) +
         NetworkFlops(critic, b, Backward::kNone, 2) +
         // Critics on the batch actions and 3n sampled actions per state, one pass.
         NetworkFlops(critic, b * (1 + 3 * n), Backward::kWeights, 2);
}

}  // namespace

absl::StatusOr<double> UpdateFlops(const LearnerOptions& unresolved, int64_t batch) {
  LearnerOptions options = unresolved;
  FillDefaultWidths(&options.config);
  const std::string& algorithm = options.config.algorithm();
  const double b = static_cast<double>(batch);
  if (algorithm == "bc") return BcFlops(options, b);
  if (algorithm == "bcq") return BcqFlops(options, b);
  if (algorithm == "cql") return CqlFlops(options, b);
  return absl::NotFoundError(
      absl::StrCat("no FLOP count for learner '", algorithm, "' (known: bc, bcq, cql)"));
}

}  // namespace romi::learners
