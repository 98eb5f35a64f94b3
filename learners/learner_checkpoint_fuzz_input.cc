#include "learners/learner_checkpoint_fuzz_input.h"

#include "learners/learner_registry.h"

namespace romi::learners {

const std::vector<std::string>& FuzzedLearnerAlgorithms() {
  static const auto* const kAlgorithms = new std::vector<std::string>{"bc", "bcq", "cql"};
  return *kAlgorithms;
}

absl::StatusOr<std::unique_ptr<Learner>> MakeFuzzedLearner(const std::string& algorithm) {
  LearnerOptions options;
  options.obs_dim = 4;
  options.act_dim = 2;
  options.config.set_algorithm(algorithm);
  if (algorithm == "bc") {
    options.config.mutable_bc()->add_hidden(8);
  } else if (algorithm == "bcq") {
    BcqConfig* bcq = options.config.mutable_bcq();
    bcq->add_actor_hidden(8);
    bcq->add_critic_hidden(8);
    bcq->add_vae_hidden(8);
    bcq->set_act_candidates(3);
  } else if (algorithm == "cql") {
    CqlConfig* cql = options.config.mutable_cql();
    cql->add_policy_hidden(8);
    cql->add_critic_hidden(8);
    cql->set_bc_warm_start_steps(1);
    cql->set_num_sampled_actions(2);
  }
  return LearnerRegistry::Create(options);
}

data::Batch FuzzBatch() {
  const torch::Tensor rows = torch::arange(16, torch::kFloat32).unsqueeze(1) / 16;
  return {rows.expand({16, 4}).sin().contiguous(), rows.expand({16, 2}).cos().contiguous() - 0.5,
          rows.squeeze(1), rows.expand({16, 4}).cos().contiguous(),
          (rows.squeeze(1) > 0.9).to(torch::kFloat32)};
}

}  // namespace romi::learners
