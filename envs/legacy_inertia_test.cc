#include "envs/legacy_inertia.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <array>

#include "gtest/gtest.h"

namespace romi::envs {
namespace {

std::array<double, 3> SortedInertia(const mjModel& m, int body) {
  std::array<double, 3> inertia = {m.body_inertia[3 * body], m.body_inertia[3 * body + 1],
                                   m.body_inertia[3 * body + 2]};
  std::sort(inertia.begin(), inertia.end());
  return inertia;
}

TEST(LegacyCapsuleInertiaTest, CylinderOfLengthLPlusR) {
  // The hopper's torso: r 0.05, L 0.4 -> a cylinder of length 0.45.
  const GeomInertia c = LegacyCapsuleInertia(0.05, 0.2, 1000.0);
  EXPECT_NEAR(c.mass, 3.534292, 1e-6);
  EXPECT_NEAR(c.axial, 3.534292 * 0.0025 / 2, 1e-7);
  EXPECT_NEAR(c.transverse, 3.534292 * (3 * 0.0025 + 0.45 * 0.45) / 12, 1e-7);
}

TEST(CompileWithLegacyInertiaTest, SingleCapsuleBody) {
  constexpr char kMjcf[] = R"(
<mujoco>
  <worldbody>
    <body name="stick" pos="0 0 1">
      <freejoint/>
      <geom type="capsule" fromto="0.1 0 0 0.5 0 0" size="0.05"/>
    </body>
  </worldbody>
</mujoco>)";
  MjModelPtr model = CompileWithLegacyInertia(kMjcf, {}).value();
  EXPECT_NEAR(model->body_mass[1], 3.534292, 1e-6);
  EXPECT_NEAR(model->body_ipos[3], 0.3, 1e-12);  // The segment's midpoint.
  const std::array<double, 3> inertia = SortedInertia(*model, 1);
  EXPECT_NEAR(inertia[0], 3.534292 * 0.0025 / 2, 1e-7);
  EXPECT_NEAR(inertia[1], 3.534292 * (3 * 0.0025 + 0.45 * 0.45) / 12, 1e-7);
  EXPECT_NEAR(inertia[2], inertia[1], 1e-12);
}

TEST(CompileWithLegacyInertiaTest, TwoCapsulesCombineWithParallelAxes) {
  // Two identical vertical capsules 0.2 apart along x: com in the middle, and the inertia about
  // the z axis gains 2 m (0.1)^2 while the one about x does not.
  constexpr char kMjcf[] = R"(
<mujoco>
  <worldbody>
    <body name="pair">
      <freejoint/>
      <geom type="capsule" fromto="-0.1 0 -0.2 -0.1 0 0.2" size="0.05"/>
      <geom type="capsule" fromto="0.1 0 -0.2 0.1 0 0.2" size="0.05"/>
    </body>
  </worldbody>
</mujoco>)";
  MjModelPtr model = CompileWithLegacyInertia(kMjcf, {}).value();
  const GeomInertia c = LegacyCapsuleInertia(0.05, 0.2, 1000.0);
  EXPECT_NEAR(model->body_mass[1], 2 * c.mass, 1e-9);
  const std::array<double, 3> inertia = SortedInertia(*model, 1);
  EXPECT_NEAR(inertia[0], 2 * c.axial + 2 * c.mass * 0.01, 1e-9);       // About z.
  EXPECT_NEAR(inertia[1], 2 * c.transverse, 1e-9);                      // About x.
  EXPECT_NEAR(inertia[2], 2 * c.transverse + 2 * c.mass * 0.01, 1e-9);  // About y.
}

TEST(CompileWithLegacyInertiaTest, SphereIsExactAndCombinesWithCapsules) {
  // The ant's torso, a sphere of r 0.25 at density 5, beside a capsule whose centre is 0.2 away.
  constexpr char kMjcf[] = R"(
<mujoco>
  <worldbody>
    <body name="torso">
      <freejoint/>
      <geom type="sphere" size="0.25" density="5"/>
      <geom type="capsule" fromto="0.2 0 -0.1 0.2 0 0.1" size="0.08" density="5"/>
    </body>
  </worldbody>
</mujoco>)";
  LegacyInertiaOptions options;
  options.density = 5.0;
  MjModelPtr model = CompileWithLegacyInertia(kMjcf, options).value();
  const GeomInertia sphere = SphereInertia(0.25, 5.0);
  const GeomInertia capsule = LegacyCapsuleInertia(0.08, 0.1, 5.0);
  EXPECT_NEAR(sphere.mass, 0.327249, 1e-6);
  EXPECT_NEAR(sphere.axial, 0.4 * sphere.mass * 0.0625, 1e-12);
  EXPECT_NEAR(model->body_mass[1], sphere.mass + capsule.mass, 1e-12);
  const double com_x = 0.2 * capsule.mass / (sphere.mass + capsule.mass);
  EXPECT_NEAR(model->body_ipos[3], com_x, 1e-12);
  // The shift from each part's centre to the com lies along x, so it adds to the inertia about z
  // and about y only.
  const double shift = sphere.mass * com_x * com_x + capsule.mass * (0.2 - com_x) * (0.2 - com_x);
  std::array<double, 3> expected = {sphere.axial + capsule.transverse,          // About x.
                                    sphere.axial + capsule.transverse + shift,  // About y.
                                    sphere.axial + capsule.axial + shift};      // About z.
  std::sort(expected.begin(), expected.end());
  const std::array<double, 3> inertia = SortedInertia(*model, 1);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(inertia[k], expected[k], 1e-12) << k;
}

TEST(CompileWithLegacyInertiaTest, TotalMassScalesProportionally) {
  constexpr char kMjcf[] = R"(
<mujoco>
  <worldbody>
    <body name="a"><freejoint/><geom type="capsule" size="0.05 0.2"/>
      <body name="b" pos="0 0 1"><joint type="hinge"/><geom type="capsule" size="0.05 0.1"/></body>
    </body>
  </worldbody>
</mujoco>)";
  LegacyInertiaOptions options;
  options.total_mass = 14.0;
  MjModelPtr model = CompileWithLegacyInertia(kMjcf, options).value();
  EXPECT_NEAR(model->body_mass[1] + model->body_mass[2], 14.0, 1e-12);
  EXPECT_NEAR(model->body_mass[1] / model->body_mass[2], 0.45 / 0.25, 1e-12);
}

TEST(CompileWithLegacyInertiaTest, RejectsNonCapsules) {
  constexpr char kMjcf[] = R"(
<mujoco><worldbody><body name="box"><freejoint/><geom type="box" size="1 1 1"/></body>
</worldbody></mujoco>)";
  const auto model = CompileWithLegacyInertia(kMjcf, {});
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("capsules and spheres only"), absl::string_view::npos);
}

TEST(CompileWithLegacyInertiaTest, RejectsInertiaFromGeomTrue) {
  constexpr char kMjcf[] = R"(
<mujoco><compiler inertiafromgeom="true"/><worldbody><body name="stick"><freejoint/>
<geom type="capsule" size="0.05 0.2"/></body></worldbody></mujoco>)";
  const auto model = CompileWithLegacyInertia(kMjcf, {});
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("inertiafromgeom"), absl::string_view::npos);
}

}  // namespace
}  // namespace romi::envs
