#!/usr/bin/env bash
# tools/campaign.sh's stage bookkeeping, with a stand-in for the suite (no training): a finished
# stage is never replayed, and each stage's milestone records every run at exactly that stage,
# from out/ or, for a run moved aside and retraining, from superseded/.
set -euo pipefail

campaign_sh="$(realpath tools/campaign.sh)"
export CAMPAIGN="${TEST_TMPDIR:-$(mktemp -d)}/campaign"
rm -rf "${CAMPAIGN}"
mkdir -p "${CAMPAIGN}/bin/d4rl_suite.runfiles/romi" "${CAMPAIGN}/milestones/100000"

# The stand-in suite: every call trains seeds 0 and 1 to --steps; seed 2 is still retraining.
cat >"${CAMPAIGN}/bin/d4rl_suite" <<'SUITE'
#!/usr/bin/env bash
for arg in "$@"; do
  case "${arg}" in --steps=*) steps="${arg#--steps=}" ;; --out=*) out="${arg#--out=}" ;; esac
done
echo "${steps}" >>"${CAMPAIGN}/suite_calls"
for seed in 0 1; do
  mkdir -p "${out}/runs/t/m/seed${seed}"
  printf 'final {\n  step: %s\n}\n' "${steps}" >"${out}/runs/t/m/seed${seed}/result.textproto"
  echo "fnv1a64:0123 generated" >"${out}/runs/t/m/seed${seed}/data.fingerprint"
done
mkdir -p "${out}/runs/t/m/seed2"
echo "retraining" >"${out}/runs/t/m/seed2/log.txt"
for file in results.md results.csv results.json curves.csv; do echo "${steps}" >"${out}/${file}"; done
SUITE
chmod +x "${CAMPAIGN}/bin/d4rl_suite"

# Stage 1e5 finished before; seeds 1 and 2 were moved aside holding records of 1e5 and 3e5.
date >"${CAMPAIGN}/milestones/100000/stage.done"
for entry in "1 100000" "2 300000"; do
  read -r seed steps <<<"${entry}"
  mkdir -p "${CAMPAIGN}/superseded/t/m/seed${seed}"
  printf 'final {\n  step: %s\n}\n' "${steps}" \
    >"${CAMPAIGN}/superseded/t/m/seed${seed}/result.textproto"
done

"${campaign_sh}" run-stages >"${CAMPAIGN}/log" 2>&1 || { cat "${CAMPAIGN}/log"; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }
step_of() { awk '/^  step:/ {print $2; exit}' "$1"; }

calls="$(tr '\n' ' ' <"${CAMPAIGN}/suite_calls")"
[[ "${calls}" == "300000 600000 1000000 " ]] || fail "suite called for stages '${calls}'"
for steps in 300000 600000 1000000; do
  [[ -e "${CAMPAIGN}/milestones/${steps}/stage.done" ]] || fail "stage ${steps} not marked done"
  [[ "$(cat "${CAMPAIGN}/milestones/${steps}/results.md")" == "${steps}" ]] ||
    fail "milestone ${steps} has another stage's report"
  for seed in 0 1; do
    record="${CAMPAIGN}/milestones/${steps}/runs/t/m/seed${seed}/result.textproto"
    [[ "$(step_of "${record}")" == "${steps}" ]] || fail "milestone ${steps} seed ${seed}"
  done
done
[[ "$(step_of "${CAMPAIGN}/milestones/300000/runs/t/m/seed2/result.textproto")" == 300000 ]] ||
  fail "milestone 300000 lacks the run moved aside at that stage"
[[ ! -e "${CAMPAIGN}/milestones/600000/runs/t/m/seed2" ]] ||
  fail "milestone 600000 records a run that never reached it"
[[ ! -e "${CAMPAIGN}/milestones/100000/runs" ]] || fail "the finished stage 1e5 was replayed"

# collect: the top level shows the latest finished stage's report, current/ the live one.
echo "live" >"${CAMPAIGN}/out/results.md"
export CAMPAIGN_RESULTS_DIR="${CAMPAIGN}/collected"
# A run restored from an older committed record (a milestone's) while its committed current record
# is further on: collect keeps the committed one.
mkdir -p "${CAMPAIGN}/out/runs/t/r/seed0" "${CAMPAIGN_RESULTS_DIR}/runs/t/r/seed0"
echo "restored from commit abc" >"${CAMPAIGN}/out/runs/t/r/seed0/restored"
echo "step 100000" >"${CAMPAIGN}/out/runs/t/r/seed0/curve.textproto"
echo "step 190000" >"${CAMPAIGN_RESULTS_DIR}/runs/t/r/seed0/curve.textproto"
"${campaign_sh}" collect >>"${CAMPAIGN}/log" 2>&1
[[ "$(cat "${CAMPAIGN_RESULTS_DIR}/runs/t/r/seed0/curve.textproto")" == "step 190000" ]] ||
  fail "collect overwrote a committed record with a restored older copy"
[[ "$(cat "${CAMPAIGN_RESULTS_DIR}/results.md")" == 1000000 ]] || fail "top level is not 1e6's"
[[ "$(cat "${CAMPAIGN_RESULTS_DIR}/current/results.md")" == live ]] || fail "current/ not live"
[[ "$(step_of "${CAMPAIGN_RESULTS_DIR}/milestones/300000/runs/t/m/seed2/result.textproto")" == \
   300000 ]] || fail "collect lost a milestone's record"
[[ -e "${CAMPAIGN_RESULTS_DIR}/runs/t/m/seed0/data.fingerprint" &&
   -e "${CAMPAIGN}/milestones/300000/runs/t/m/seed0/data.fingerprint" ]] ||
  fail "collect or the milestone dropped a run's data.fingerprint"

# A second start finds every stage finished and calls no suite.
rm "${CAMPAIGN}/suite_calls"
"${campaign_sh}" run-stages >>"${CAMPAIGN}/log" 2>&1
[[ ! -e "${CAMPAIGN}/suite_calls" ]] || fail "a finished campaign ran the suite again"
echo "PASS"
