// Gym's HalfCheetah (v3 dynamics; D4RL halfcheetah-{random,medium,medium-replay,medium-expert,
// expert}-v2).
//
// A planar quadruped-half: torso (with head), back and front legs of thigh, shin, foot; 6 hinges
// with springs. Timestep 0.01, Euler, frame_skip 5 (dt 0.05); 1000 steps per episode.
// Observation (17): [0] rootz, [1] rooty (torso angle), [2] bthigh, [3] bshin, [4] bfoot,
//   [5] fthigh, [6] fshin, [7] ffoot joint angles, [8] x velocity, [9] z velocity,
//   [10] torso angular velocity, [11..16] joint velocities in the order of [2..7]; not clipped.
// Action (6): bthigh, bshin, bfoot, fthigh, fshin, ffoot in [-1, 1] (gears 120 90 60 120 60 30).
// Reward: dx/dt - 0.1 * sum(a^2). Never terminates.
// Reset: qpos0 + U(-0.1, 0.1), qvel 0.1 * N(0, 1); qpos0 is all zeros (torso body at z 0.7).
// Total mass 14 split in MuJoCo 2.0's proportions: torso 6.360313, bthigh 1.535248,
//   bshin 1.580940, bfoot 1.069191, fthigh 1.425587, fshin 1.178851, ffoot 0.849869.
#ifndef ROMI_ENVS_HALFCHEETAH_H_
#define ROMI_ENVS_HALFCHEETAH_H_

#include "envs/locomotion_env.h"

namespace romi::envs {

const LocomotionDomain& HalfCheetahDomain();

}  // namespace romi::envs

#endif  // ROMI_ENVS_HALFCHEETAH_H_
