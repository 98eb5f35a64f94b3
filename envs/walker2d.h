// Gym's Walker2d (v3 dynamics; D4RL
// walker2d-{random,medium,medium-replay,medium-expert,expert}-v2).
//
// A planar biped: the hopper's torso with two legs (thigh, leg, foot each); 6 hinges, gear 100.
// Timestep 0.002, RK4, frame_skip 4 (dt 0.008); 1000 steps per episode.
// Observation (17): [0] rootz (height), [1] rooty (torso angle), [2] thigh, [3] leg, [4] foot,
//   [5] thigh_left, [6] leg_left, [7] foot_left joint angles, [8] x velocity, [9] z velocity,
//   [10] torso angular velocity, [11..16] the six joint velocities in the order of [2..7];
//   velocities [8..16] clipped to +-10.
// Action (6): thigh, leg, foot, thigh_left, leg_left, foot_left torques in [-1, 1].
// Reward: dx/dt + 1 - 1e-3 * sum(a^2). Terminates unless 0.8 < z < 2.0 and -1 < angle < 1
//   (Walker2dTermination).
// Reset: qpos0 + U(-0.005, 0.005), qvel U(-0.005, 0.005); qpos0 has z = 1.25.
// Legacy (MuJoCo 2.0) masses as the hopper's, feet 2.940531 each.
#ifndef ROMI_ENVS_WALKER2D_H_
#define ROMI_ENVS_WALKER2D_H_

#include "envs/locomotion_env.h"

namespace romi::envs {

const LocomotionDomain& Walker2dDomain();

}  // namespace romi::envs

#endif  // ROMI_ENVS_WALKER2D_H_
