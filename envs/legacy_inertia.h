// MuJoCo 2.0's capsule masses and inertias, which the D4RL gym-mujoco and antmaze datasets were
// recorded with.
//
// MuJoCo >= 2.1.2 integrates a capsule exactly (cylinder + two hemispheres); 2.0 treated a capsule
// of radius r and segment length L as a solid cylinder of radius r and length L + r. The hopper's
// torso, for instance, weighs 3.534292 under 2.0 and 3.665 under 2.2.2. We reproduce 2.0 by
// giving every body an explicit <inertial> computed the 2.0 way:
//   mass            m = density * pi r^2 (L + r)
//   about the axis  I_a = m r^2 / 2
//   across the axis I_t = m (3 r^2 + (L + r)^2) / 12
// each capsule centred at its segment midpoint, combined per body with the parallel-axis theorem.
// Spheres (the ant's torso) enter exactly, m = density * 4/3 pi r^3 and I = 2/5 m r^2, as both
// versions compute them.
// (The inertia formula is our reconstruction from that description; the masses match the values
// recorded from MuJoCo 2.0, which the tests check.)
#ifndef ROMI_ENVS_LEGACY_INERTIA_H_
#define ROMI_ENVS_LEGACY_INERTIA_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envs/mujoco_model.h"

namespace romi::envs {

struct LegacyInertiaOptions {
  double density = 1000.0;
  // When positive, masses are scaled so that they sum to this (MJCF's settotalmass): the
  // half-cheetah's 14 kg.
  double total_mass = 0.0;
};

// A geom with an axis of symmetry (its local z axis), about its centre.
struct GeomInertia {
  double mass = 0.0;
  double axial = 0.0;       // About the axis.
  double transverse = 0.0;  // About any axis through the centre, perpendicular to it.
};

// One capsule of `radius` and half-length `half_length` (MJCF size="radius half_length").
GeomInertia LegacyCapsuleInertia(double radius, double half_length, double density);

// One solid sphere; the same under 2.0 and 2.2.2.
GeomInertia SphereInertia(double radius, double density);

// Compiles `mjcf` once to read every body's capsules (poses as MuJoCo's compiler resolved them),
// then again with an explicit <inertial> inserted after each `<body name="...">` tag.
// InvalidArgumentError if a body carries a geom other than a capsule or a sphere, has no geoms,
// or its tag cannot be found; compile errors as CompileMjcf.
absl::StatusOr<MjModelPtr> CompileWithLegacyInertia(absl::string_view mjcf,
                                                    const LegacyInertiaOptions& options);

}  // namespace romi::envs

#endif  // ROMI_ENVS_LEGACY_INERTIA_H_
