#!/usr/bin/env bash
# tools/experiment_results.sh with the real suite under the smoke budget: what `collect` commits,
# `restore` puts back into a fresh suite directory, and the suite reads those runs back without
# training them again; a restored run made with other settings is not reported as this one.
set -euo pipefail

results_sh="$(realpath tools/experiment_results.sh)"
suite="$(realpath eval/d4rl_suite)"
tmp="${TEST_TMPDIR:-$(mktemp -d)}/experiment_results"
rm -rf "${tmp}"
mkdir -p "${tmp}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# The suite under the smoke budget, its own datasets only, output appended to suite.log.
suite_smoke() {
  "${suite}" --budget=smoke --seeds=0 --threads=1 --progress=false --search_user_datasets=false \
      --cache_dir="${tmp}/cache" "$@" >>"${tmp}/suite.log" 2>&1
}
run_suite() {  # out directory
  suite_smoke --tasks=maze2d-umaze-v1 --methods=bc,bcq --jobs=1 --out="$1" ||
    { cat "${tmp}/suite.log"; fail "suite on $1"; }
}
wall() { grep -m1 '^wall_seconds:' "$1"; }
run_table5() {  # out directory: Table 5's two model-error runs (forward, reverse) on one task
  suite_smoke --experiment=table5 --tasks=maze2d-umaze-v1 --out="$1" ||
    { cat "${tmp}/suite.log"; fail "table5 on $1"; }
}
readonly MODEL_ERRORS=(model_error/maze2d-umaze-v1/forward/seed0
                       model_error/maze2d-umaze-v1/reverse/seed0)

run_suite "${tmp}/first"
run_table5 "${tmp}/first"
"${results_sh}" collect "${tmp}/first" "${tmp}/committed" >/dev/null
for method in bc bcq; do
  run="runs/maze2d-umaze-v1/${method}/seed0"
  for file in result.textproto config.textproto data.fingerprint curve.textproto log.txt; do
    [[ -e "${tmp}/committed/${run}/${file}" ]] || fail "collect left out ${run}/${file}"
  done
done
for run in "${MODEL_ERRORS[@]}"; do
  for file in result.textproto config.textproto data.fingerprint; do
    [[ -e "${tmp}/committed/${run}/${file}" ]] || fail "collect left out ${run}/${file}"
  done
done
for file in results.md experiment_table5.md; do
  [[ -e "${tmp}/committed/${file}" ]] || fail "collect left out ${file}"
done

# On a fresh directory the restored runs are read back, not retrained: the same wall time.
"${results_sh}" restore "${tmp}/committed" "${tmp}/second" >/dev/null
run_suite "${tmp}/second"
run_table5 "${tmp}/second"
for run in runs/maze2d-umaze-v1/bc/seed0 runs/maze2d-umaze-v1/bcq/seed0 "${MODEL_ERRORS[@]}"; do
  [[ "$(wall "${tmp}/first/${run}/result.textproto")" == \
     "$(wall "${tmp}/second/${run}/result.textproto")" ]] || fail "${run} was trained again"
done
[[ ! -e "${tmp}/second/runs/maze2d-umaze-v1/bc/seed0/learner.pt" ]] || fail "bc was trained again"

# A committed run without its config.textproto (made before runs recorded one) is not restored:
# nothing could check which settings made it.
rm "${tmp}/committed/${MODEL_ERRORS[0]}/config.textproto"
"${results_sh}" restore "${tmp}/committed" "${tmp}/unchecked" >/dev/null
[[ ! -e "${tmp}/unchecked/${MODEL_ERRORS[0]}" && -e "${tmp}/unchecked/${MODEL_ERRORS[1]}" ]] ||
  fail "a run without its settings was restored, or a checkable one was not"

# A committed run made with other settings (here: another learning rate; learner_steps may differ,
# a longer run extends a shorter one) is not reported as this budget's run: the suite trains it
# again or fails it (here: fails it, naming the file), never reports the old result.
sed -i 's/^    learning_rate: .*/    learning_rate: 0.002/' \
    "${tmp}/committed/runs/maze2d-umaze-v1/bc/seed0/config.textproto"
"${results_sh}" restore "${tmp}/committed" "${tmp}/third" >/dev/null
suite_smoke --tasks=maze2d-umaze-v1 --methods=bc --jobs=1 --out="${tmp}/third" || true
grep -q "failed: maze2d-umaze-v1 bc seed 0: .*holds a run with other settings" \
    "${tmp}/third/results.md" || fail "a run made with other settings was reported as this budget's"
echo "PASS"
