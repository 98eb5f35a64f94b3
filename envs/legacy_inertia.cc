#include "envs/legacy_inertia.h"

#include <mujoco/mujoco.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace romi::envs {
namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

struct BodyInertial {
  double mass = 0.0;
  std::array<double, 3> com = {0, 0, 0};
  Mat3 inertia = {};  // About com, in the body frame.
};

// A geom's inertia at density 1 under MuJoCo 2.0's rules.
absl::StatusOr<GeomInertia> UnitDensityGeomInertia(const mjModel& model, int g) {
  const mjtNum* size = model.geom_size + 3 * g;
  switch (model.geom_type[g]) {
    case mjGEOM_CAPSULE:
      return LegacyCapsuleInertia(size[0], size[1], 1.0);
    case mjGEOM_SPHERE:
      return SphereInertia(size[0], 1.0);
    default:
      return absl::InvalidArgumentError(absl::StrFormat(
          "body '%s': legacy inertia handles capsules and spheres only, geom %d has type %d",
          mj_id2name(&model, mjOBJ_BODY, model.geom_bodyid[g]), g, model.geom_type[g]));
  }
}

// Each body's inertial under MuJoCo 2.0's rule, from the compiled geometry of `model`, with
// density 1 (callers scale).
absl::StatusOr<std::vector<BodyInertial>> UnitDensityInertials(const mjModel& model) {
  std::vector<BodyInertial> bodies(model.nbody);
  std::vector<std::vector<int>> geoms(model.nbody);
  for (int g = 0; g < model.ngeom; ++g) geoms[model.geom_bodyid[g]].push_back(g);
  for (int b = 1; b < model.nbody; ++b) {
    if (geoms[b].empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("body '%s' has no geoms", mj_id2name(&model, mjOBJ_BODY, b)));
    }
    std::vector<GeomInertia> parts;
    for (int g : geoms[b]) {
      ROMI_ASSIGN_OR_RETURN(GeomInertia part, UnitDensityGeomInertia(model, g));
      parts.push_back(part);
    }
    BodyInertial& body = bodies[b];
    for (size_t p = 0; p < parts.size(); ++p) {
      body.mass += parts[p].mass;
      for (int k = 0; k < 3; ++k)
        body.com[k] += parts[p].mass * model.geom_pos[3 * geoms[b][p] + k];
    }
    for (int k = 0; k < 3; ++k) body.com[k] /= body.mass;
    for (size_t p = 0; p < parts.size(); ++p) {
      const GeomInertia& c = parts[p];
      const int g = geoms[b][p];
      const mjtNum z[3] = {0, 0, 1};
      mjtNum axis[3];
      mju_rotVecQuat(axis, z, model.geom_quat + 4 * g);
      double d[3], d2 = 0;
      for (int k = 0; k < 3; ++k) {
        d[k] = model.geom_pos[3 * g + k] - body.com[k];
        d2 += d[k] * d[k];
      }
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
          const double identity = i == j ? 1.0 : 0.0;
          // Rotated principal inertia plus the parallel-axis shift to the body's centre of mass.
          body.inertia[i][j] += c.transverse * (identity - axis[i] * axis[j]) +
                                c.axial * axis[i] * axis[j] +
                                c.mass * (d2 * identity - d[i] * d[j]);
        }
      }
    }
  }
  return bodies;
}

std::string InertialElement(const BodyInertial& body, double scale) {
  const Mat3& I = body.inertia;
  return absl::StrFormat(
      "<inertial pos=\"%.17g %.17g %.17g\" mass=\"%.17g\" "
      "fullinertia=\"%.17g %.17g %.17g %.17g %.17g %.17g\"/>",
      body.com[0], body.com[1], body.com[2], scale * body.mass, scale * I[0][0], scale * I[1][1],
      scale * I[2][2], scale * I[0][1], scale * I[0][2], scale * I[1][2]);
}

}  // namespace

GeomInertia LegacyCapsuleInertia(double radius, double half_length, double density) {
  const double length = 2.0 * half_length + radius;  // The 2.0 rule: a cylinder of L + r.
  GeomInertia c;
  c.mass = density * mjPI * radius * radius * length;
  c.axial = c.mass * radius * radius / 2.0;
  c.transverse = c.mass * (3.0 * radius * radius + length * length) / 12.0;
  return c;
}

GeomInertia SphereInertia(double radius, double density) {
  GeomInertia s;
  s.mass = density * 4.0 / 3.0 * mjPI * radius * radius * radius;
  s.axial = s.transverse = 0.4 * s.mass * radius * radius;
  return s;
}

absl::StatusOr<MjModelPtr> CompileWithLegacyInertia(absl::string_view mjcf,
                                                    const LegacyInertiaOptions& options) {
  ROMI_ASSIGN_OR_RETURN(MjModelPtr geometry, CompileMjcf(mjcf));
  ROMI_ASSIGN_OR_RETURN(std::vector<BodyInertial> bodies, UnitDensityInertials(*geometry));
  double scale = options.density;
  if (options.total_mass > 0.0) {
    double unit_total = 0.0;
    for (const BodyInertial& body : bodies) unit_total += body.mass;
    scale = options.total_mass / unit_total;
  }
  std::string patched(mjcf);
  for (int b = 1; b < geometry->nbody; ++b) {
    const std::string tag =
        absl::StrCat("<body name=\"", mj_id2name(geometry.get(), mjOBJ_BODY, b), "\"");
    const size_t start = patched.find(tag);
    const size_t end = start == std::string::npos ? start : patched.find('>', start);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrFormat("legacy inertia: cannot find the tag %s...> in the MJCF", tag));
    }
    patched.insert(end + 1, InertialElement(bodies[b], scale));
  }
  ROMI_ASSIGN_OR_RETURN(MjModelPtr model, CompileMjcf(patched));
  // <compiler inertiafromgeom="true"> would silently override the inserted elements.
  for (int b = 1; b < model->nbody; ++b) {
    if (std::abs(model->body_mass[b] - scale * bodies[b].mass) > 1e-9 * model->body_mass[b]) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "legacy inertia: body '%s' compiled to mass %g instead of %g; remove "
          "inertiafromgeom=\"true\" from the MJCF",
          mj_id2name(model.get(), mjOBJ_BODY, b), model->body_mass[b], scale * bodies[b].mass));
    }
  }
  return model;
}

}  // namespace romi::envs
