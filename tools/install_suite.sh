#!/usr/bin/env bash
# Builds the committed HEAD's //eval:d4rl_suite into <dir>/bin (binary, runfiles, `commit`) for a
# long run outside the work tree (tools/campaign.sh, tools/bf16_validation.sh). Does nothing when
# <dir>/bin already has one: a run keeps its binary until someone deletes <dir>/bin.
#
# The binary is built from a copy of HEAD in <dir>/src, never from the work tree: files edited
# while Bazel builds would otherwise end up in the binary (seen: a build half old, half edited).
# Uncommitted changes are not in it; commit first. The copy has a Bazel output base of its own; the
# shared disk cache makes its build mostly cache hits.
#
#   tools/install_suite.sh <dir>
set -euo pipefail
cd "$(dirname "$0")/.."

readonly DIR="${1:?usage: $0 <dir>}"
if [[ -x "${DIR}/bin/d4rl_suite" ]]; then exit 0; fi
commit="$(git rev-parse HEAD)"
src="${DIR}/src"
rm -rf "${src}"
mkdir -p "${src}"
git archive "${commit}" | tar -x -C "${src}"
(cd "${src}" && bazel build //eval:d4rl_suite && bazel shutdown)
# Into bin.tmp, then one rename: an interrupted copy leaves no bin/ that looks installed.
rm -rf "${DIR}/bin.tmp"
mkdir -p "${DIR}/bin.tmp"
cp -L "${src}/bazel-bin/eval/d4rl_suite" "${DIR}/bin.tmp/d4rl_suite"
cp -rL "${src}/bazel-bin/eval/d4rl_suite.runfiles" "${DIR}/bin.tmp/"
echo "${commit}" >"${DIR}/bin.tmp/commit"
rm -rf "${DIR}/bin"
mv "${DIR}/bin.tmp" "${DIR}/bin"
echo "installed the suite of commit ${commit} in ${DIR}/bin"
