// Gym's Hopper (v3 dynamics; D4RL hopper-{random,medium,medium-replay,medium-expert,expert}-v2).
//
// A one-legged planar robot: torso, thigh, leg, foot; 3 hinges driven by motors (gear 200).
// Timestep 0.002, RK4, frame_skip 4 (dt 0.008); 1000 steps per episode.
// Observation (11): [0] rootz (torso height z), [1] rooty (torso angle), [2] thigh joint,
//   [3] leg joint, [4] foot joint, [5] x velocity, [6] z velocity, [7] torso angular velocity,
//   [8] thigh, [9] leg, [10] foot joint velocities; velocities [5..10] clipped to +-10.
// Action (3): thigh, leg, foot torques in [-1, 1].
// Reward: dx/dt + 1 - 1e-3 * sum(a^2). Terminates unless the state is finite, |obs[1:]| < 100,
//   z > 0.7 and |angle| < 0.2 (HopperTermination).
// Reset: qpos0 + U(-0.005, 0.005), qvel U(-0.005, 0.005); qpos0 has z = 1.25.
// Bodies carry MuJoCo 2.0's masses (legacy_inertia.h): torso, thigh, leg, foot =
//   3.534292, 3.926991, 2.714336, 5.089380.
#ifndef ROMI_ENVS_HOPPER_H_
#define ROMI_ENVS_HOPPER_H_

#include "envs/locomotion_env.h"

namespace romi::envs {

const LocomotionDomain& HopperDomain();

}  // namespace romi::envs

#endif  // ROMI_ENVS_HOPPER_H_
