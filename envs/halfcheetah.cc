#include "envs/halfcheetah.h"

#include <limits>

namespace romi::envs {
namespace {

// Our MJCF from the public facts of gym's half_cheetah model (body positions, limb capsules,
// joint ranges, springs and gears). Total mass 14 is applied by the legacy inertia pass
// (LegacyInertiaOptions::total_mass) instead of settotalmass, so that it uses 2.0's capsule rule.
constexpr char kHalfCheetahMjcf[] = R"(
<mujoco model="cheetah">
  <compiler angle="radian"/>
  <option gravity="0 0 -9.81" timestep="0.01" integrator="Euler"/>
  <default>
    <joint armature="0.1" damping="0.01" limited="true" solimplimit="0 0.8 0.03"
           solreflimit="0.02 1" stiffness="8"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solimp="0 0.8 0.01"
          solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0" stiffness="0"
             limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" armature="0" damping="0" stiffness="0"
             limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0" stiffness="0"
             limited="false"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" axisangle="0 1 0 0.87"
            size="0.046 0.15"/>
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" type="hinge" axis="0 1 0" damping="6" stiffness="240"
               range="-0.52 1.05"/>
        <geom name="bthigh" type="capsule" pos="0.1 0 -0.13" axisangle="0 1 0 -3.8"
              size="0.046 0.145"/>
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" type="hinge" axis="0 1 0" damping="4.5" stiffness="180"
                 range="-0.785 0.785"/>
          <geom name="bshin" type="capsule" pos="-0.14 0 -0.07" axisangle="0 1 0 -2.03"
                size="0.046 0.15"/>
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" type="hinge" axis="0 1 0" damping="3" stiffness="120"
                   range="-0.4 0.785"/>
            <geom name="bfoot" type="capsule" pos="0.03 0 -0.097" axisangle="0 1 0 -0.27"
                  size="0.046 0.094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" type="hinge" axis="0 1 0" damping="4.5" stiffness="180"
               range="-1 0.7"/>
        <geom name="fthigh" type="capsule" pos="-0.07 0 -0.12" axisangle="0 1 0 0.52"
              size="0.046 0.133"/>
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" type="hinge" axis="0 1 0" damping="3" stiffness="120"
                 range="-1.2 0.87"/>
          <geom name="fshin" type="capsule" pos="0.065 0 -0.09" axisangle="0 1 0 -0.6"
                size="0.046 0.106"/>
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" type="hinge" axis="0 1 0" damping="1.5" stiffness="60"
                   range="-0.5 0.5"/>
            <geom name="ffoot" type="capsule" pos="0.045 0 -0.07" axisangle="0 1 0 -0.6"
                  size="0.046 0.07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
)";

}  // namespace

const LocomotionDomain& HalfCheetahDomain() {
  static const LocomotionDomain* const domain = [] {
    auto* d = new LocomotionDomain;
    d->name = "halfcheetah";
    d->mjcf = kHalfCheetahMjcf;
    d->inertia.total_mass = 14.0;
    d->obs_dim = 17;
    d->act_dim = 6;
    d->frame_skip = 5;
    d->ctrl_cost_weight = 0.1;
    d->healthy_reward = 0.0;
    d->qvel_obs_clip = std::numeric_limits<double>::infinity();
    d->reset_noise = ResetNoise::kUniformPosNormalVel;
    d->reset_noise_scale = 0.1;
    d->ref_min_score = -280.178953;
    d->ref_max_score = 12135.0;
    d->termination = NeverTerminates(17, 6);
    return d;
  }();
  return *domain;
}

namespace {
[[maybe_unused]] const bool kRegistered = RegisterLocomotionTasks(HalfCheetahDomain());
}  // namespace

}  // namespace romi::envs
