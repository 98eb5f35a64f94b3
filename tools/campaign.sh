#!/usr/bin/env bash
# The long campaign of issue 13: maze2d-umaze-v1 (sparse) with romi-bcq, fomi-bcq and bcq, seeds
# 0-2, at the `long` budget (the paper's settings), run outside the work tree so that rebuilding
# or switching branches never touches it.
#
#   tools/campaign.sh start     copy the built suite into $CAMPAIGN/bin (first time only) and run
#                               the campaign under nohup: every run to 1e5 steps, then all to 3e5,
#                               6e5 and 1e6 (each stage extends the same runs; the result equals
#                               one uninterrupted run). Resumes wherever it stopped.
#   tools/campaign.sh status    what runs, each run's last logged learner step and evaluation
#   tools/campaign.sh collect   copy the small outputs (report, curves, per-run curve/result/log;
#                               never checkpoints or buffers) into docs/results/maze2d-umaze-long/
#
# Every stage resumes where it was interrupted: the learner checkpoints every 5 000 steps, a
# dynamics model's training after every epoch.
# $CAMPAIGN defaults to ~/romi-campaign; $CAMPAIGN_JOBS (2) runs at once, one torch thread each,
# at nice 19, so that builds and tests on the same cores go first.
# To run a newer binary, stop the campaign, delete $CAMPAIGN/bin and start again: runs resume from
# their checkpoints, but a binary that computes differently makes a different experiment, so say so
# in the notes.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly CAMPAIGN="${CAMPAIGN:-${HOME}/romi-campaign}"
readonly JOBS="${CAMPAIGN_JOBS:-2}"
readonly STAGES=(100000 300000 600000 1000000)
readonly SUITE_FLAGS=(--tasks=maze2d-umaze-v1 --methods=bcq,romi-bcq,fomi-bcq --seeds=0,1,2
                      --budget=long --jobs="${JOBS}" --threads=1 --progress=false
                      --out="${CAMPAIGN}/out")
readonly RESULTS_DIR="docs/results/maze2d-umaze-long"

install_binary() {
  if [[ -x "${CAMPAIGN}/bin/d4rl_suite" ]]; then return; fi
  bazel build //eval:d4rl_suite
  mkdir -p "${CAMPAIGN}/bin"
  cp -L bazel-bin/eval/d4rl_suite "${CAMPAIGN}/bin/d4rl_suite"
  cp -rL bazel-bin/eval/d4rl_suite.runfiles "${CAMPAIGN}/bin/"
  git rev-parse HEAD >"${CAMPAIGN}/bin/commit"
  echo "installed the suite of commit $(cat "${CAMPAIGN}/bin/commit") in ${CAMPAIGN}/bin"
}

# One stage after another; a stage whose runs are all finished returns at once.
run_stages() {
  cd "${CAMPAIGN}/bin/d4rl_suite.runfiles/romi"  # where eval/configs and datagen/policies are
  for steps in "${STAGES[@]}"; do
    echo "$(date -u '+%F %T') stage ${steps} steps: start"
    if ! "${CAMPAIGN}/bin/d4rl_suite" "${SUITE_FLAGS[@]}" --steps="${steps}"; then
      echo "$(date -u '+%F %T') stage ${steps}: some runs failed; see ${CAMPAIGN}/out/results.md"
      exit 1
    fi
    mkdir -p "${CAMPAIGN}/milestones/${steps}"
    cp "${CAMPAIGN}/out"/results.{md,csv,json} "${CAMPAIGN}/out"/curves.csv \
      "${CAMPAIGN}/milestones/${steps}/"
    echo "$(date -u '+%F %T') stage ${steps} steps: done"
  done
}

case "${1:-}" in
  start)
    if pgrep -f "${CAMPAIGN}/bin/d4rl_suite" >/dev/null; then
      echo "the campaign is already running"; exit 0
    fi
    install_binary
    mkdir -p "${CAMPAIGN}"
    nohup nice -n 19 "$0" run-stages >>"${CAMPAIGN}/campaign.log" 2>&1 &
    echo "started (pid $!); log: ${CAMPAIGN}/campaign.log"
    ;;
  run-stages)
    run_stages
    ;;
  status)
    pgrep -af "${CAMPAIGN}/bin/d4rl_suite" | grep -- --run= || echo "no run is training now"
    tail -n 3 "${CAMPAIGN}/campaign.log" 2>/dev/null || true
    for log in "${CAMPAIGN}"/out/runs/*/*/*/log.txt; do
      [[ -e "${log}" ]] || continue
      run="${log%/log.txt}"; run="${run#"${CAMPAIGN}/out/runs/"}"
      echo "${run}: $(grep -E '\[(learner|dynamics|evaluation)\]' "${log}" | tail -n 1)"
    done
    ;;
  collect)
    mkdir -p "${RESULTS_DIR}"
    for file in results.md results.csv results.json curves.csv curves_maze2d-umaze-v1.png; do
      [[ -e "${CAMPAIGN}/out/${file}" ]] && cp "${CAMPAIGN}/out/${file}" "${RESULTS_DIR}/"
    done
    for dir in "${CAMPAIGN}"/out/runs/*/*/*/; do
      run="${dir#"${CAMPAIGN}/out/runs/"}"
      mkdir -p "${RESULTS_DIR}/runs/${run}"
      for file in curve.textproto result.textproto log.txt config.textproto; do
        [[ -e "${dir}${file}" ]] && cp "${dir}${file}" "${RESULTS_DIR}/runs/${run}"
      done
    done
    [[ -d "${CAMPAIGN}/milestones" ]] && cp -r "${CAMPAIGN}/milestones" "${RESULTS_DIR}/"
    cp "${CAMPAIGN}/campaign.log" "${RESULTS_DIR}/" 2>/dev/null || true
    echo "copied into ${RESULTS_DIR}"
    ;;
  *)
    echo "usage: $0 start|status|collect" >&2; exit 2
    ;;
esac
