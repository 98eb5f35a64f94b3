#!/usr/bin/env bash
# The long campaign of issue 13: maze2d-umaze-v1 (sparse) with romi-bcq, fomi-bcq and bcq, seeds
# 0-2, at the `long` budget (the paper's settings), run outside the work tree so that rebuilding
# or switching branches never touches it.
#
#   tools/campaign.sh start     build HEAD's suite into $CAMPAIGN/bin (first time only) and run
#                               the campaign under nohup: every run to 1e5 steps, then all to 3e5,
#                               6e5 and 1e6 (each stage extends the same runs; the result equals
#                               one uninterrupted run). Resumes wherever it stopped; a
#                               finished stage is marked (milestones/<steps>/stage.done) and
#                               never replayed.
#   tools/campaign.sh stop      stop it (start resumes it from the runs' checkpoints)
#   tools/campaign.sh status    what runs, each run's last logged learner step and evaluation
#   tools/campaign.sh collect   copy the small outputs (report, curves, per-run curve/result/log;
#                               never checkpoints or buffers) into docs/results/maze2d-umaze-long/
#                               ($CAMPAIGN_RESULTS_DIR): at its top the latest finished stage's
#                               report, in current/ the live one, each finished stage's record in
#                               milestones/<steps>/ (runs too), each run's latest files in runs/
#   tools/campaign.sh snapshot N  redo stage N's milestone record (a stage makes it when it ends)
#   tools/campaign.sh restore   on a machine that lost $CAMPAIGN: put the committed finished runs
#                               (docs/results/maze2d-umaze-long/runs/*/*/*/result.textproto, else
#                               the latest milestones/<steps>/runs/ record of that run) back
#                               into $CAMPAIGN/out so that their stage is not trained again. They
#                               have no checkpoints, so before a later stage the campaign moves
#                               them to $CAMPAIGN/superseded/ and trains them from step 0. On
#                               the host and BLAS kernels that made them this reproduces the
#                               earlier stage's numbers on the way; on another host (other
#                               rounding) it is a new run of the same configuration.
#
# Every stage resumes where it was interrupted: the learner checkpoints every 5 000 steps, a
# dynamics model's training after every epoch.
# $CAMPAIGN defaults to ~/romi-campaign; $CAMPAIGN_JOBS (2) runs at once, $CAMPAIGN_THREADS (1)
# torch threads each, at nice 19, so that builds and tests on the same cores go first. On a
# machine that will not outlive the session, CAMPAIGN_JOBS=1 CAMPAIGN_THREADS=2 finishes one run
# sooner than two single-threaded runs finish either.
# To run a newer binary, stop the campaign, delete $CAMPAIGN/bin and start again: runs resume from
# their checkpoints, but a binary that computes differently makes a different experiment, so say so
# in the notes.
set -euo pipefail
# This script by its absolute path: `start` relaunches it after the cd below, and `stop` finds the
# driver by it, whatever directory and path form the user called it with.
readonly SELF="$(realpath "$0")"
cd "$(dirname "${SELF}")/.."

readonly CAMPAIGN="${CAMPAIGN:-${HOME}/romi-campaign}"
readonly JOBS="${CAMPAIGN_JOBS:-2}"
readonly THREADS="${CAMPAIGN_THREADS:-1}"
readonly STAGES=(100000 300000 600000 1000000)
readonly SUITE_FLAGS=(--tasks=maze2d-umaze-v1 --methods=romi-bcq,fomi-bcq,bcq --seeds=0,1,2
                      --budget=long --jobs="${JOBS}" --threads="${THREADS}" --progress=false
                      --out="${CAMPAIGN}/out" --shared_stages=none)
# --shared_stages=none: the campaign's runs share no model stage (reverse, forward, model-free), and
# runs begun before shared stages existed keep their training checkpoints in their own directory.
readonly RESULTS_DIR="${CAMPAIGN_RESULTS_DIR:-docs/results/maze2d-umaze-long}"
# The suite's report files; a milestone keeps them as they were when its stage ended.
readonly REPORT_FILES=(results.md results.csv results.json curves.csv curves_maze2d-umaze-v1.png)

install_binary() { tools/install_suite.sh "${CAMPAIGN}"; }

# The final learner step of the run whose result.textproto is $1.
result_step() {
  awk '/^final \{/ {in_final = 1} in_final && /^  step:/ {print $2; exit}' "$1"
}

# RUN_FILES and copy_run_files: what collect, snapshot and restore copy of each run.
source tools/run_files.sh

# Restored runs finished at fewer than $1 steps have no checkpoint to extend: move them aside so
# that the stage trains them from step 0.
supersede_restored() {
  local steps="$1" marker run_dir run
  for marker in "${CAMPAIGN}"/out/runs/*/*/*/restored; do
    [[ -e "${marker}" ]] || continue
    run_dir="${marker%/restored}"
    if (( $(result_step "${run_dir}/result.textproto") >= steps )); then continue; fi
    run="${run_dir#"${CAMPAIGN}/out/runs/"}"
    mkdir -p "$(dirname "${CAMPAIGN}/superseded/${run}")"
    rm -rf "${CAMPAIGN}/superseded/${run}"
    mv "${run_dir}" "${CAMPAIGN}/superseded/${run}"
    mkdir -p "${run_dir}"  # the log goes on across the retraining
    cp "${CAMPAIGN}/superseded/${run}/log.txt" "${run_dir}/" 2>/dev/null || true
    echo "$(date -u '+%F %T') ${run}: restored at fewer than ${steps} steps, no checkpoint; retrained from step 0"
  done
}

# Copies the committed finished runs into $CAMPAIGN/out where that run has no directory yet: each
# run's current record (runs/), else its record at the latest milestone that has it (a run being
# retrained from step 0 has no current result, but its finished stage is in milestones/).
restore_committed() {
  local result committed run target source marker
  # Which stages were finished, so that run_stages does not replay them (stage_done_marker).
  for marker in "${RESULTS_DIR}"/milestones/*/stage.done; do
    [[ -e "${marker}" ]] || continue
    target="${CAMPAIGN}/milestones/$(basename "$(dirname "${marker}")")"
    mkdir -p "${target}"
    [[ -e "${target}/stage.done" ]] || cp "${marker}" "${target}/"
  done
  local sources=("${RESULTS_DIR}/runs")
  while read -r source; do sources+=("${source}"); done < <(
    ls -d "${RESULTS_DIR}"/milestones/*/runs 2>/dev/null | sort -V -r)
  for source in "${sources[@]}"; do
    for result in "${source}"/*/*/*/result.textproto; do
      [[ -e "${result}" ]] || continue
      committed="$(dirname "${result}")"
      run="${committed#"${source}/"}"
      target="${CAMPAIGN}/out/runs/${run}"
      if [[ -e "${target}" ]]; then echo "${run}: already in ${CAMPAIGN}/out, kept"; continue; fi
      mkdir -p "${target}"
      copy_run_files "${committed}" "${target}"
      echo "restored from commit $(git rev-parse --short HEAD) (${source})" >"${target}/restored"
      echo "${run}: restored at step $(result_step "${result}") from ${source}"
    done
  done
}

# The suite's report and every run's small files (curve, result, config, log) as they stand at the
# end of stage $1, in $CAMPAIGN/milestones/$1: a later stage retrains runs that have no checkpoint
# from step 0 (supersede_restored), and `collect` then shows their current state, so a stage's own
# per-run record lives here. A run's record is the one finished at exactly $1 steps: its out/
# directory's, else (a run moved aside and retraining) the one in superseded/. Records of other
# runs already in the milestone are kept, so redoing a milestone after a later stage loses nothing.
snapshot_milestone() {
  local steps="$1" milestone="${CAMPAIGN}/milestones/$1" dir run step
  local -A recorded=()
  mkdir -p "${milestone}"
  local file
  for file in "${REPORT_FILES[@]}"; do
    [[ -e "${CAMPAIGN}/out/${file}" ]] && cp "${CAMPAIGN}/out/${file}" "${milestone}/"
  done
  for dir in "${CAMPAIGN}"/out/runs/*/*/*/ "${CAMPAIGN}"/superseded/*/*/*/; do
    [[ -d "${dir}" ]] || continue
    run="${dir#"${CAMPAIGN}/out/runs/"}"; run="${run#"${CAMPAIGN}/superseded/"}"
    [[ -z "${recorded[${run}]:-}" && -e "${dir}result.textproto" ]] || continue
    step="$(result_step "${dir}result.textproto")"
    [[ "${step}" == "${steps}" ]] || continue
    mkdir -p "${milestone}/runs/${run}"
    copy_run_files "${dir}" "${milestone}/runs/${run}"
    recorded[${run}]=1
  done
}

# A finished stage leaves this marker; run_stages skips it from then on. Replaying a finished stage
# is not harmless: a run already trained past it is an error for the suite (it cannot report fewer
# steps than it trained), and a run retraining from step 0 would be stopped at that stage again.
stage_done_marker() { echo "${CAMPAIGN}/milestones/$1/stage.done"; }

# One stage after another, skipping those finished before.
run_stages() {
  cd "${CAMPAIGN}/bin/d4rl_suite.runfiles/romi"  # where eval/configs and datagen/policies are
  for steps in "${STAGES[@]}"; do
    [[ -e "$(stage_done_marker "${steps}")" ]] && continue
    echo "$(date -u '+%F %T') stage ${steps} steps: start"
    supersede_restored "${steps}"
    if ! "${CAMPAIGN}/bin/d4rl_suite" "${SUITE_FLAGS[@]}" --steps="${steps}"; then
      echo "$(date -u '+%F %T') stage ${steps}: some runs failed; see ${CAMPAIGN}/out/results.md"
      exit 1
    fi
    snapshot_milestone "${steps}"
    date -u '+%F %T' >"$(stage_done_marker "${steps}")"
    echo "$(date -u '+%F %T') stage ${steps} steps: done"
  done
}

case "${1:-}" in
  start)
    # The driver too: between stages (moving runs aside, snapshotting) no suite runs.
    if pgrep -f "${SELF} run-stages" >/dev/null || pgrep -f "${CAMPAIGN}/bin/d4rl_suite" >/dev/null
    then
      echo "the campaign is already running"; exit 0
    fi
    install_binary
    mkdir -p "${CAMPAIGN}"
    nohup nice -n 19 "${SELF}" run-stages >>"${CAMPAIGN}/campaign.log" 2>&1 &
    echo "started (pid $!); log: ${CAMPAIGN}/campaign.log"
    ;;
  run-stages)
    run_stages
    ;;
  stop)
    # Every run checkpoints as it goes (learner every 5 000 steps, dynamics every epoch), so a
    # stop loses at most that much; `start` resumes.
    pkill -f "${SELF} run-stages" || true
    pkill -f "${CAMPAIGN}/bin/d4rl_suite" || echo "no run was training"
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
    # The top level shows the latest finished stage (every run at the same step, the table
    # docs/RESULTS.md quotes); current/ the report of the stage under way, in which runs that
    # retrain from step 0 have no result yet.
    mkdir -p "${RESULTS_DIR}/current"
    for file in "${REPORT_FILES[@]}"; do
      [[ -e "${CAMPAIGN}/out/${file}" ]] && cp "${CAMPAIGN}/out/${file}" "${RESULTS_DIR}/current/"
    done
    latest="$(ls -d "${CAMPAIGN}"/milestones/*/stage.done 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "${latest}" ]]; then
      for file in "${REPORT_FILES[@]}"; do
        [[ -e "$(dirname "${latest}")/${file}" ]] && cp "$(dirname "${latest}")/${file}" "${RESULTS_DIR}/"
      done
    fi
    for dir in "${CAMPAIGN}"/out/runs/*/*/*/; do
      # A restored run is a copy of what is committed, possibly of an older record (a milestone's):
      # copying it back would overwrite the committed current one.
      [[ -e "${dir}restored" ]] && continue
      run="${dir#"${CAMPAIGN}/out/runs/"}"
      mkdir -p "${RESULTS_DIR}/runs/${run}"
      # A run retraining from step 0 has no result yet: its committed one goes; the stage it
      # finished keeps it in milestones/.
      for file in "${RUN_FILES[@]}"; do
        [[ -e "${dir}${file}" ]] || rm -f "${RESULTS_DIR}/runs/${run}${file}"
      done
      copy_run_files "${dir}" "${RESULTS_DIR}/runs/${run}"
    done
    [[ -d "${CAMPAIGN}/milestones" ]] && cp -r "${CAMPAIGN}/milestones" "${RESULTS_DIR}/"
    cp "${CAMPAIGN}/campaign.log" "${RESULTS_DIR}/" 2>/dev/null || true
    echo "copied into ${RESULTS_DIR}"
    ;;
  restore)
    restore_committed
    ;;
  snapshot)  # stage steps: redo that stage's milestone record (run-stages makes it when a stage ends)
    snapshot_milestone "${2:?usage: $0 snapshot STEPS}"
    ;;
  *)
    echo "usage: $0 start|status|collect|restore|snapshot STEPS" >&2; exit 2
    ;;
esac
