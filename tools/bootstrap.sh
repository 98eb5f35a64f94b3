#!/usr/bin/env bash
# Installs every Debian package that romi's build, tests and main job need, and points Bazel at a
# disk cache outside the clone so that a fresh clone reuses unchanged compiles.
#
# Idempotent: packages already installed are skipped; safe to run before every build.
# Works as root, or as a user with sudo. Fails with a clear message when a package cannot be found.
set -euo pipefail

readonly PACKAGES=(
  # Build system (Debian's Bazel 4.2.3, offline) and compiler.
  bazel-bootstrap bazel-rules-java g++
  # Libraries the code links against.
  libtorch-dev libmujoco-dev libabsl-dev libprotobuf-dev protobuf-compiler libhdf5-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # Fast BLAS underneath LibTorch: the reference BLAS is ~17x slower at sgemm.
  libopenblas0-openmp
  # Plots of learning curves in the suite report.
  gnuplot-nox
  # The C++ format check that the test command runs first (tools/check_format.sh).
  clang-format
  # The fuzzers that the test command runs last (tools/fuzz.sh: libFuzzer, ASan and UBSan).
  clang-14 libclang-rt-14-dev
  # The real one-node Slurm cluster of //tests:slurm_test (tools/local_slurm.sh), and the client
  # (sbatch, squeue) that --launcher=slurm submits with.
  slurm-wlm munge
)

log() { printf '[bootstrap] %s\n' "$*"; }

if [[ "$(id -u)" -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  log "error: not root and sudo is not installed; run this script as root." >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("${pkg}")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#PACKAGES[@]} packages already installed"
else
  log "installing: ${missing[*]}"
  # Through env: sudo's env_reset would drop an exported DEBIAN_FRONTEND, and debconf could prompt.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  for pkg in "${missing[@]}"; do
    if ! apt-cache show "${pkg}" >/dev/null 2>&1; then
      log "error: package '${pkg}' is not available from the configured apt sources" >&2
      log "       (romi targets Debian 12 'bookworm' with the main component enabled)" >&2
      exit 1
    fi
  done
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
  log "installed ${#missing[@]} package(s)"
fi

# OpenBLAS must be the BLAS that libtorch's libblas.so.3 resolves to.
blas="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)"
if [[ "${blas}" != *openblas* ]]; then
  log "selecting OpenBLAS as the system BLAS (was: ${blas:-none})"
  candidate="$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -n 1 || true)"
  if [[ -z "${candidate}" ]]; then
    log "error: no OpenBLAS alternative for libblas.so.3 found" >&2
    exit 1
  fi
  "${SUDO[@]}" update-alternatives --set libblas.so.3-x86_64-linux-gnu "${candidate}"
fi
log "BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"

# A Bazel disk cache outside the clone: each CI run is a fresh clone, so without it every LibTorch
# translation unit (~15 s each) would be recompiled from scratch.
user_bazelrc="${HOME}/.bazelrc"
cache_line="build --disk_cache=${HOME}/.cache/romi-bazel-disk-cache"
if ! grep -qxF "${cache_line}" "${user_bazelrc}" 2>/dev/null; then
  log "adding '${cache_line}' to ${user_bazelrc}"
  printf '%s\n' "${cache_line}" >>"${user_bazelrc}"
fi

log "ready: $(bazel --version 2>/dev/null || echo 'bazel missing!')"
