#include "envs/ant_goal_env.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "envs/ant_maze_env.h"
#include "envs/ant_maze_geometry.h"
#include "envs/registry.h"
#include "envs/termination.h"

namespace romi::envs {
namespace {

constexpr int kObsDim = 29;
constexpr int kActDim = 8;
constexpr int kAntQpos = 15;
constexpr int kAntQvel = 14;
constexpr double kUprightBonus = 1.0;
constexpr double kCtrlCost = 0.05;
constexpr double kMinHeight = 0.2;
constexpr double kMaxHeight = 1.0;
// A floor without walls: a maze of a start and a goal cell, neither of which is a wall.
constexpr char kOpenFloorLayout[] = "RG";

}  // namespace

std::vector<double> GoalReachingObservation(absl::Span<const double> qpos,
                                            absl::Span<const double> qvel,
                                            std::array<double, 2> target) {
  std::vector<double> obs;
  obs.reserve(kObsDim);
  obs.insert(obs.end(), qpos.begin() + 2, qpos.begin() + kAntQpos);
  obs.insert(obs.end(), qvel.begin(), qvel.begin() + kAntQvel);
  const double dx = target[0] - qpos[0];
  const double dy = target[1] - qpos[1];
  const double norm = std::hypot(dx, dy);
  const double scale = norm > 0 ? AntGoalEnv::kTargetNorm / norm : 0.0;
  obs.push_back(dx * scale);
  obs.push_back(dy * scale);
  return obs;
}

absl::StatusOr<std::unique_ptr<AntGoalEnv>> AntGoalEnv::Create(const EnvSpec& spec) {
  ROMI_ASSIGN_OR_RETURN(AntMazeGeometry floor, AntMazeGeometry::Parse(kOpenFloorLayout));
  ROMI_ASSIGN_OR_RETURN(std::shared_ptr<const mjModel> model, SharedAntModel(floor));
  if (model->nq != kAntQpos || model->nv != kAntQvel || model->nu != kActDim) {
    return absl::InternalError(absl::StrCat("ant-goal-reaching: the MJCF's dimensions (nq ",
                                            model->nq, ", nv ", model->nv, ", nu ", model->nu,
                                            ") are not the ant's 15 / 14 / 8"));
  }
  ROMI_ASSIGN_OR_RETURN(MjDataPtr data, MakeData(*model));
  return std::unique_ptr<AntGoalEnv>(new AntGoalEnv(spec, std::move(model), std::move(data)));
}

AntGoalEnv::AntGoalEnv(EnvSpec spec, std::shared_ptr<const mjModel> model, MjDataPtr data)
    : MujocoEnv(std::move(spec), std::move(model), std::move(data)) {}

std::vector<double> AntGoalEnv::Observation() const {
  return GoalReachingObservation(qpos(), qvel(), target_);
}

double AntGoalEnv::DistanceToTarget() const {
  return std::hypot(target_[0] - data().qpos[0], target_[1] - data().qpos[1]);
}

void AntGoalEnv::DrawTarget() {
  constexpr double kPi = 3.14159265358979323846;
  std::uniform_real_distribution<double> angle(-kPi, kPi);
  std::uniform_real_distribution<double> distance(kMinTargetDistance, kMaxTargetDistance);
  const double a = angle(target_rng_);
  const double d = distance(target_rng_);
  target_ = {data().qpos[0] + d * std::cos(a), data().qpos[1] + d * std::sin(a)};
}

void AntGoalEnv::ResetState(std::mt19937_64& rng) {
  ResetAntState(model(), *mutable_data(), rng);
  target_rng_.seed(rng());
  targets_reached_ = 0;
  DrawTarget();
}

MujocoEnv::Transition AntGoalEnv::StepPhysics(absl::Span<const double> action) {
  double ctrl_cost = 0;
  for (int k = 0; k < kActDim; ++k) ctrl_cost += kCtrlCost * action[k] * action[k];
  const double before = DistanceToTarget();
  StepAnt(model(), *mutable_data(), action);
  const double after = DistanceToTarget();
  const double dt = AntMazeEnv::kFrameSkip * model().opt.timestep;
  const double height = data().qpos[2];
  const bool upright = height >= kMinHeight && height <= kMaxHeight;
  if (after <= kReachRadius) {
    ++targets_reached_;
    DrawTarget();
  }
  const double reward = (before - after) / dt + (upright ? kUprightBonus : 0.0) - ctrl_cost;
  return {reward, /*terminated=*/!upright};
}

absl::Status AntGoalEnv::SetStateFromObservation(absl::Span<const double> /*observation*/) {
  return absl::UnimplementedError(
      absl::StrCat(kAntGoalReachingTask,
                   ": the observation has no torso xy and only the target's "
                   "direction, so it does not determine a state"));
}

namespace {

bool RegisterAntGoalTask() {
  EnvSpec spec;
  spec.task = kAntGoalReachingTask;
  spec.domain = "ant-goal";
  spec.obs_dim = kObsDim;
  spec.act_dim = kActDim;
  spec.action_low.assign(kActDim, -1.0);
  spec.action_high.assign(kActDim, 1.0);
  spec.max_episode_steps = 500;
  spec.ref_min_score = 0.0;  // The score is the return (ant_goal_env.h).
  spec.ref_max_score = 100.0;
  spec.termination = AntUprightTermination();
  RegisterTask(std::move(spec), [](const EnvSpec& s) -> absl::StatusOr<std::unique_ptr<Env>> {
    ROMI_ASSIGN_OR_RETURN(std::unique_ptr<AntGoalEnv> env, AntGoalEnv::Create(s));
    return std::unique_ptr<Env>(std::move(env));
  });
  return true;
}

[[maybe_unused]] const bool kRegistered = RegisterAntGoalTask();

}  // namespace
}  // namespace romi::envs
