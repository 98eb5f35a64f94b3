#include "envs/termination.h"

#include <cmath>
#include <cstddef>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::envs {
namespace {

// Each rule is a template so that one definition serves the float64 env path and the float32
// batched model-rollout path.
template <typename T>
struct HopperRule {
  static constexpr int kObsDim = 11;
  static bool IsTerminal(const T* /*obs*/, const T* /*action*/, const T* next_obs) {
    for (int i = 0; i < kObsDim; ++i) {
      if (!std::isfinite(next_obs[i])) return true;
    }
    for (int i = 1; i < kObsDim; ++i) {
      if (!(std::abs(next_obs[i]) < T(100))) return true;
    }
    const T height = next_obs[0];
    const T angle = next_obs[1];
    return !(height > T(0.7) && std::abs(angle) < T(0.2));
  }
};

template <typename T>
struct Walker2dRule {
  static bool IsTerminal(const T* /*obs*/, const T* /*action*/, const T* next_obs) {
    const T height = next_obs[0];
    const T angle = next_obs[1];
    // Written as "not healthy" so that a NaN height or angle terminates, as in gym.
    return !(height > T(0.8) && height < T(2.0) && angle > T(-1.0) && angle < T(1.0));
  }
};

// The goals of the antmaze rules (termination.h).
struct AntUMazeGoal {
  static constexpr double kX = 0.75, kY = 8.75;
};
struct AntMediumMazeGoal {
  static constexpr double kX = 20.75, kY = 20.75;
};
struct AntLargeMazeGoal {
  static constexpr double kX = 32.75, kY = 24.75;
};

template <typename T, typename Goal>
struct AntMazeRule {
  static constexpr int kObsDim = 29;
  static constexpr int kActDim = 8;
  static bool IsTerminal(const T* /*obs*/, const T* /*action*/, const T* next_obs) {
    return std::hypot(next_obs[0] - T(Goal::kX), next_obs[1] - T(Goal::kY)) <= T(0.5);
  }
};
template <typename T>
using AntUMazeRule = AntMazeRule<T, AntUMazeGoal>;
template <typename T>
using AntMediumMazeRule = AntMazeRule<T, AntMediumMazeGoal>;
template <typename T>
using AntLargeMazeRule = AntMazeRule<T, AntLargeMazeGoal>;

template <typename T>
struct AntUprightRule {
  static constexpr int kObsDim = 29;
  static constexpr int kActDim = 8;
  static bool IsTerminal(const T* /*obs*/, const T* /*action*/, const T* next_obs) {
    const T height = next_obs[0];
    return !(height >= T(0.2) && height <= T(1.0));
  }
};

template <typename T>
struct NeverRule {
  static bool IsTerminal(const T*, const T*, const T*) { return false; }
};

template <template <typename> class Rule>
TerminationFn MakeTerminationFn(const char* name, int obs_dim, int act_dim) {
  TerminationFn fn;
  fn.name = name;
  fn.obs_dim = obs_dim;
  fn.act_dim = act_dim;
  fn.rule_f64 = &Rule<double>::IsTerminal;
  fn.rule_f32 = &Rule<float>::IsTerminal;
  return fn;
}

// One TerminationFn per rule, built on first use.
template <template <typename> class Rule>
const TerminationFn& StaticTerminationFn(const char* name) {
  static const TerminationFn* const fn = new TerminationFn(
      MakeTerminationFn<Rule>(name, Rule<double>::kObsDim, Rule<double>::kActDim));
  return *fn;
}

absl::Status CheckSize(const TerminationFn& fn, const char* what, size_t size, size_t expected) {
  if (size == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat(
      "termination '%s': %s has %d elements, expected %d", fn.name, what, size, expected));
}

}  // namespace

const TerminationFn& HopperTermination() {
  static const TerminationFn* const fn =
      new TerminationFn(MakeTerminationFn<HopperRule>("hopper", HopperRule<double>::kObsDim, 3));
  return *fn;
}

const TerminationFn& Walker2dTermination() {
  static const TerminationFn* const fn =
      new TerminationFn(MakeTerminationFn<Walker2dRule>("walker2d", 17, 6));
  return *fn;
}

const TerminationFn& AntUMazeTermination() {
  return StaticTerminationFn<AntUMazeRule>("antmaze-umaze");
}

const TerminationFn& AntMediumMazeTermination() {
  return StaticTerminationFn<AntMediumMazeRule>("antmaze-medium");
}

const TerminationFn& AntLargeMazeTermination() {
  return StaticTerminationFn<AntLargeMazeRule>("antmaze-large");
}

const TerminationFn& AntUprightTermination() {
  return StaticTerminationFn<AntUprightRule>("ant-upright");
}

TerminationFn NeverTerminates(int obs_dim, int act_dim) {
  return MakeTerminationFn<NeverRule>("never", obs_dim, act_dim);
}

absl::StatusOr<bool> IsTerminal(const TerminationFn& fn, absl::Span<const double> obs,
                                absl::Span<const double> action,
                                absl::Span<const double> next_obs) {
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "obs", obs.size(), fn.obs_dim));
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "action", action.size(), fn.act_dim));
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "next_obs", next_obs.size(), fn.obs_dim));
  return fn.rule_f64(obs.data(), action.data(), next_obs.data());
}

absl::Status IsTerminalBatch(const TerminationFn& fn, absl::Span<const float> obs,
                             absl::Span<const float> action, absl::Span<const float> next_obs,
                             absl::Span<bool> done) {
  const size_t batch = done.size();
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "obs batch", obs.size(), batch * fn.obs_dim));
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "action batch", action.size(), batch * fn.act_dim));
  ROMI_RETURN_IF_ERROR(CheckSize(fn, "next_obs batch", next_obs.size(), batch * fn.obs_dim));
  for (size_t b = 0; b < batch; ++b) {
    done[b] = fn.rule_f32(obs.data() + b * fn.obs_dim, action.data() + b * fn.act_dim,
                          next_obs.data() + b * fn.obs_dim);
  }
  return absl::OkStatus();
}

}  // namespace romi::envs
