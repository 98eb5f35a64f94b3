#include "envs/walker2d.h"

namespace romi::envs {
namespace {

// Our MJCF from gym's facts, in local coordinates (see hopper.cc). The left leg copies the right
// one; only its foot's friction differs (1.9 against 0.9).
constexpr char kWalker2dMjcf[] = R"(
<mujoco model="walker2d">
  <compiler angle="degree"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint armature="0.01" damping="0.1" limited="true"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1"/>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="100"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="20 20 0.125" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0" limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" ref="1.25" armature="0" damping="0"
             limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0" limited="false"/>
      <geom name="torso_geom" type="capsule" fromto="0 0 0.2 0 0 -0.2" size="0.05"
            friction="0.9"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh_geom" type="capsule" fromto="0 0 0 0 0 -0.45" size="0.05"
              friction="0.9"/>
        <body name="leg" pos="0 0 -0.45">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
          <geom name="leg_geom" type="capsule" fromto="0 0 0 0 0 -0.5" size="0.04"
                friction="0.9"/>
          <body name="foot" pos="0 0 -0.5">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" range="-45 45"/>
            <geom name="foot_geom" type="capsule" fromto="0 0 0 0.2 0 0" size="0.06"
                  friction="0.9"/>
          </body>
        </body>
      </body>
      <body name="thigh_left" pos="0 0 -0.2">
        <joint name="thigh_left_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
        <geom name="thigh_left_geom" type="capsule" fromto="0 0 0 0 0 -0.45" size="0.05"
              friction="0.9"/>
        <body name="leg_left" pos="0 0 -0.45">
          <joint name="leg_left_joint" type="hinge" axis="0 -1 0" range="-150 0"/>
          <geom name="leg_left_geom" type="capsule" fromto="0 0 0 0 0 -0.5" size="0.04"
                friction="0.9"/>
          <body name="foot_left" pos="0 0 -0.5">
            <joint name="foot_left_joint" type="hinge" axis="0 -1 0" range="-45 45"/>
            <geom name="foot_left_geom" type="capsule" fromto="0 0 0 0.2 0 0" size="0.06"
                  friction="1.9"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="thigh_joint" joint="thigh_joint"/>
    <motor name="leg_joint" joint="leg_joint"/>
    <motor name="foot_joint" joint="foot_joint"/>
    <motor name="thigh_left_joint" joint="thigh_left_joint"/>
    <motor name="leg_left_joint" joint="leg_left_joint"/>
    <motor name="foot_left_joint" joint="foot_left_joint"/>
  </actuator>
</mujoco>
)";

}  // namespace

const LocomotionDomain& Walker2dDomain() {
  static const LocomotionDomain* const domain = [] {
    auto* d = new LocomotionDomain;
    d->name = "walker2d";
    d->mjcf = kWalker2dMjcf;
    d->inertia.density = 1000.0;
    d->obs_dim = 17;
    d->act_dim = 6;
    d->frame_skip = 4;
    d->ctrl_cost_weight = 1e-3;
    d->healthy_reward = 1.0;
    d->qvel_obs_clip = 10.0;
    d->reset_noise = ResetNoise::kUniform;
    d->reset_noise_scale = 5e-3;
    d->ref_min_score = 1.629008;
    d->ref_max_score = 4592.3;
    d->termination = Walker2dTermination();
    return d;
  }();
  return *domain;
}

namespace {
[[maybe_unused]] const bool kRegistered = RegisterLocomotionTasks(Walker2dDomain());
}  // namespace

}  // namespace romi::envs
