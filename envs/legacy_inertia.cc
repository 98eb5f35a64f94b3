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

// Each body's inertial under MuJoCo 2.0's rule, from the compiled geometry of `model`, with
// density 1 (callers scale).
absl::StatusOr<std::vector<BodyInertial>> UnitDensityInertials(const mjModel& model) {
  std::vector<BodyInertial> bodies(model.nbody);
  std::vector<std::vector<int>> geoms(model.nbody);
  for (int g = 0; g < model.ngeom; ++g) geoms[model.geom_bodyid[g]].push_back(g);
  for (int b = 1; b < model.nbody; ++b) {
    const char* name = mj_id2name(&model, mjOBJ_BODY, b);
    if (geoms[b].empty()) {
      return absl::InvalidArgumentError(absl::StrFormat("body '%s' has no geoms", name));
    }
    BodyInertial& body = bodies[b];
    for (int g : geoms[b]) {
      if (model.geom_type[g] != mjGEOM_CAPSULE) {
        return absl::InvalidArgumentError(
            absl::StrFormat("body '%s': legacy inertia handles capsules only, geom %d has type %d",
                            name, g, model.geom_type[g]));
      }
      const double m =
          LegacyCapsuleInertia(model.geom_size[3 * g], model.geom_size[3 * g + 1], 1.0).mass;
      body.mass += m;
      for (int k = 0; k < 3; ++k) body.com[k] += m * model.geom_pos[3 * g + k];
    }
    for (int k = 0; k < 3; ++k) body.com[k] /= body.mass;
    for (int g : geoms[b]) {
      const CapsuleInertia c =
          LegacyCapsuleInertia(model.geom_size[3 * g], model.geom_size[3 * g + 1], 1.0);
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

CapsuleInertia LegacyCapsuleInertia(double radius, double half_length, double density) {
  const double length = 2.0 * half_length + radius;  // The 2.0 rule: a cylinder of L + r.
  CapsuleInertia c;
  c.mass = density * mjPI * radius * radius * length;
  c.axial = c.mass * radius * radius / 2.0;
  c.transverse = c.mass * (3.0 * radius * radius + length * length) / 12.0;
  return c;
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
