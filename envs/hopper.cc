#include "envs/hopper.h"

namespace romi::envs {
namespace {

// Our MJCF from gym's facts, in local coordinates (gym's file uses global ones; the joint
// anchors and geoms sit at the same world positions, so the dynamics are the same).
constexpr char kHopperMjcf[] = R"(
<mujoco model="hopper">
  <compiler angle="degree"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001" solimp="0.8 0.8 0.01"
          solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1" gear="200"/>
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
            <geom name="foot_geom" type="capsule" fromto="-0.13 0 0 0.26 0 0" size="0.06"
                  friction="2.0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="thigh_joint" joint="thigh_joint"/>
    <motor name="leg_joint" joint="leg_joint"/>
    <motor name="foot_joint" joint="foot_joint"/>
  </actuator>
</mujoco>
)";

}  // namespace

const LocomotionDomain& HopperDomain() {
  static const LocomotionDomain* const domain = [] {
    auto* d = new LocomotionDomain;
    d->name = "hopper";
    d->mjcf = kHopperMjcf;
    d->inertia.density = 1000.0;
    d->obs_dim = 11;
    d->act_dim = 3;
    d->frame_skip = 4;
    d->ctrl_cost_weight = 1e-3;
    d->healthy_reward = 1.0;
    d->qvel_obs_clip = 10.0;
    d->reset_noise = ResetNoise::kUniform;
    d->reset_noise_scale = 5e-3;
    d->ref_min_score = -20.272305;
    d->ref_max_score = 3234.3;
    d->termination = HopperTermination();
    return d;
  }();
  return *domain;
}

namespace {
[[maybe_unused]] const bool kRegistered = RegisterLocomotionTasks(HopperDomain());
}  // namespace

}  // namespace romi::envs
