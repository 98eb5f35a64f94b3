#include "learners/bcq.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "learners/learner_registry.h"
#include "learners/nn/fused_adam.h"

namespace romi::learners {

torch::Tensor BcqTarget(const torch::Tensor& twin_q, const torch::Tensor& rewards,
                        const torch::Tensor& terminals, double discount, double lambda) {
  const torch::Tensor q = twin_q.reshape({2, rewards.size(0), -1});  // [2, B, n]
  const torch::Tensor soft_clipped = lambda * q.amin(0) + (1.0 - lambda) * q.amax(0);
  return rewards + (1.0 - terminals) * discount * soft_clipped.amax(1);
}

absl::StatusOr<std::unique_ptr<Learner>> Bcq::Create(const LearnerOptions& options) {
  ROMI_RETURN_IF_ERROR(ValidateLearnerOptions(options));
  const BcqConfig& config = options.config.bcq();
  if (config.target_samples() < 1 || config.act_candidates() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bcq needs target_samples >= 1 and act_candidates >= 1, got ",
                     config.target_samples(), " and ", config.act_candidates()));
  }
  return std::unique_ptr<Learner>(new Bcq(options));
}

Bcq::Bcq(const LearnerOptions& options) : Learner(options), config_(options.config.bcq()) {
  const int64_t obs = options.obs_dim;
  const int64_t act = options.act_dim;
  ConditionalVaeOptions vae;
  vae.condition_dim = obs;
  vae.data_dim = act;
  vae.hidden = WidthsOf(config_.vae_hidden());
  vae.max_value = options.max_action;
  vae_ = RegisterModule("vae", ConditionalVae(vae));
  const std::vector<int64_t> actor_hidden = WidthsOf(config_.actor_hidden());
  const std::vector<int64_t> critic_hidden = WidthsOf(config_.critic_hidden());
  actor_ = RegisterModule("actor", Mlp(obs + act, actor_hidden, act, Activation::kRelu));
  critic_ = RegisterModule("critic", TwinCritics(obs + act, critic_hidden));
  actor_target_ = RegisterTarget("actor", Mlp(obs + act, actor_hidden, act, Activation::kRelu));
  critic_target_ = RegisterTarget("critic", TwinCritics(obs + act, critic_hidden));
  HardUpdate(*actor_, *actor_target_);
  HardUpdate(*critic_, *critic_target_);
  MoveToDevice();
  const torch::optim::AdamOptions adam(config_.learning_rate());
  vae_optimizer_ = std::make_unique<FusedAdam>(vae_->parameters(), adam);
  actor_optimizer_ = std::make_unique<FusedAdam>(actor_->parameters(), adam);
  critic_optimizer_ = std::make_unique<FusedAdam>(critic_->parameters(), adam);
  RegisterOptimizer("vae", vae_optimizer_.get());
  RegisterOptimizer("actor", actor_optimizer_.get());
  RegisterOptimizer("critic", critic_optimizer_.get());
}

torch::Tensor Bcq::Perturb(Mlp& actor, const torch::Tensor& observations,
                           const torch::Tensor& actions) const {
  const double max_action = options().max_action;
  const torch::Tensor delta = actor->forward(torch::cat({observations, actions}, 1));
  return (actions + config_.phi() * max_action * torch::tanh(delta)).clamp(-max_action, max_action);
}

Metrics Bcq::UpdateImpl(const data::Batch& batch) {
  // Each loss below is a mean over the batch, computed shard by shard on separate cores
  // (learners/data_parallel.h): a shard's loss is its own mean times its share of the rows, and
  // every random draw is made here for the whole batch before the shards run.
  const torch::Tensor& s = batch.observations;
  const torch::Tensor& a = batch.actions;
  const int64_t rows = s.size(0);
  const int64_t n = config_.target_samples();
  const DataParallel& parallel = data_parallel();

  const torch::Tensor vae_eps =
      at::randn({rows, vae_->options().latent_dim}, generator(), s.options());
  const torch::Tensor vae_loss =
      parallel.Backward(rows, vae_->parameters(), [&](const Shard& shard) {
        const torch::Tensor shard_a = shard.Rows(a);
        return ConditionalVaeImpl::Loss(
                   vae_->Reconstruct(shard.Rows(s), shard_a, shard.Rows(vae_eps)), shard_a) *
               shard.weight;
      });
  vae_optimizer_->step();

  // Target: n VAE actions per next state (updated VAE), perturbed by the target actor, scored
  // by the target critics.
  const torch::Tensor target_latent = vae_->PriorLatent(rows * n, s.options(), generator());
  const torch::Tensor target = torch::empty({rows}, s.options());
  {
    torch::NoGradGuard no_grad;
    parallel.ForEach(rows, [&](const Shard& shard) {
      const torch::Tensor next = shard.Rows(batch.next_observations).repeat_interleave(n, 0);
      const torch::Tensor next_actions =
          Perturb(actor_target_, next, vae_->Decode(next, shard.RepeatedRows(target_latent, n)));
      const torch::Tensor twin_q = critic_target_->forward(torch::cat({next, next_actions}, 1));
      shard.Rows(target).copy_(BcqTarget(twin_q, shard.Rows(batch.rewards),
                                         shard.Rows(batch.terminals), config_.discount(),
                                         config_.lambda()));
    });
  }

  const torch::Tensor q1 = torch::empty({rows}, s.options());  // for the q_mean metric
  const torch::Tensor critic_loss =
      parallel.Backward(rows, critic_->parameters(), [&](const Shard& shard) {
        const torch::Tensor q =
            critic_->forward(torch::cat({shard.Rows(s), shard.Rows(a)}, 1)).squeeze(-1);  // [2, b]
        shard.Rows(q1).copy_(q[0].detach());
        // Both critics' mean squared errors, summed.
        return (q - shard.Rows(target)).square().mean(1).sum() * shard.weight;
      });
  critic_optimizer_->step();

  const torch::Tensor actor_latent = vae_->PriorLatent(rows, s.options(), generator());
  const torch::Tensor actor_loss =
      parallel.Backward(rows, actor_->parameters(), [&](const Shard& shard) {
        const torch::Tensor shard_s = shard.Rows(s);
        torch::Tensor candidates;
        {
          torch::NoGradGuard no_grad;
          candidates = vae_->Decode(shard_s, shard.Rows(actor_latent));
        }
        // Q1 through frozen critic weights: the actor's gradient without critic weight gradients.
        return -critic_
                    ->FrozenMemberForward(
                        torch::cat({shard_s, Perturb(actor_, shard_s, candidates)}, 1), 0)
                    .mean() *
               shard.weight;
      });
  actor_optimizer_->step();

  SoftUpdate(*critic_, *critic_target_, config_.tau());
  SoftUpdate(*actor_, *actor_target_, config_.tau());
  return {{"vae_loss", vae_loss.item<double>()},
          {"critic_loss", critic_loss.item<double>()},
          {"actor_loss", actor_loss.item<double>()},
          {"q_mean", q1.mean().item<double>()}};
}

torch::Tensor Bcq::ActImpl(const torch::Tensor& observations, bool /*deterministic*/) {
  const int64_t batch = observations.size(0);
  const int64_t n = config_.act_candidates();
  const torch::Tensor states = observations.repeat_interleave(n, 0);  // [B * n, obs]
  const torch::Tensor actions = Perturb(actor_, states, vae_->Sample(states, act_generator()));
  const torch::Tensor q1 =
      critic_->FrozenMemberForward(torch::cat({states, actions}, 1), 0).view({batch, n});
  const torch::Tensor best =
      q1.argmax(1) + torch::arange(batch, q1.options().dtype(torch::kLong)) * n;
  return actions.index_select(0, best);
}

ROMI_REGISTER_LEARNER("bcq", Bcq::Create);

std::optional<torch::Tensor> Bcq::ValueImpl(const torch::Tensor& observations,
                                            const torch::Tensor& actions) {
  return critic_->FrozenMemberForward(torch::cat({observations, actions}, 1), 0).squeeze(-1);
}

}  // namespace romi::learners
