#!/usr/bin/env bash
# Issue 14's bf16 validation: do the bfloat16 precisions learn what fp32 learns? With the same seeds
# (0, 1), on maze2d-umaze-v1 and hopper-medium-v2, at the `long` budget (the paper's settings:
# D4RL-sized data, evaluations of 10 episodes every 5 000 steps with the same start states, the
# final policy on 100 episodes) stopped at 1e5 learner steps:
#   BCQ in fp32 and bf16 (every network) on both tasks, and on maze2d-umaze-v1 also in
#       bf16-policy (critics fp32; learners/learners.proto);
#   CQL in fp32 and bf16: CQL's time is in its critics, so bf16-policy would gain it ~1.1x
#       (5.7 against 5.1 updates/s on one thread; bf16 14.4);
#   a control on maze2d-umaze-v1, "fp32-2shards": fp32 with every batch split into 2 shards
#       (learners/nn/data_parallel.h), i.e. another summation order. Its rounding differs from
#       fp32's by ~1e-7 where bf16's differs by ~1e-3: how far two fp32 runs of one seed drift
#       apart by chance. It drifted as far as bf16 did (docs/RESULTS.md), so bf16 is judged
#       against the spread of all fp32 runs, seeds and control together, and hopper's pairs are
#       fp32 against bf16, the faster precision.
# Runs outside the work tree, like the campaign (tools/campaign.sh), one run at a time:
#
#   tools/bf16_validation.sh start     install HEAD's suite in $VALIDATION/bin (first time only) and
#                                      train the runs below in order under nohup at nice 19;
#                                      resumes wherever it stopped (runs checkpoint every 5 000 steps)
#   tools/bf16_validation.sh stop
#   tools/bf16_validation.sh status    each run: finished, its last evaluation, or not started
#   tools/bf16_validation.sh collect   both precisions' reports, the runs' small files and the
#                                      comparison table into docs/results/bf16-validation/
#
# The fp32 BCQ runs on maze2d-umaze-v1 are the campaign's own (the same budget, seeds and 1e5
# steps): `start` copies their committed files into the fp32 output, where the suite reads them
# back as finished runs (it checks that their config is the one asked for). The order puts the
# cheap, informative pairs first: BCQ (~40-65 min a run on one core) before CQL (fp32 ~5 h).
# $VALIDATION defaults to ~/romi-bf16; $VALIDATION_THREADS (1) torch threads per run.
set -euo pipefail
# This script by its absolute path: `start` relaunches it after the cd below, and `stop` finds the
# driver by it, whatever directory and path form the user called it with.
readonly SELF="$(realpath "$0")"
cd "$(dirname "${SELF}")/.."
source tools/run_files.sh  # RUN_FILES, copy_run_files

readonly VALIDATION="${VALIDATION:-${HOME}/romi-bf16}"
readonly THREADS="${VALIDATION_THREADS:-1}"
readonly STEPS=100000
readonly TASKS=maze2d-umaze-v1,hopper-medium-v2
readonly METHODS=bcq,cql
readonly SEEDS=0,1
readonly RESULTS_DIR="docs/results/bf16-validation"
# The 1e5 stage's record: the campaign retrains these runs from step 0 in its 3e5 stage.
readonly CAMPAIGN_RESULTS="docs/results/maze2d-umaze-long/milestones/100000/runs/maze2d-umaze-v1"
# The arms compared, fp32 (the reference) first: the precisions, then the control.
readonly PRECISIONS=(fp32 bf16 bf16-policy fp32-2shards)
# task method seed precision, in the order they train (pairs of the same seed together).
readonly RUNS=(
  "maze2d-umaze-v1 bcq 0 bf16" "maze2d-umaze-v1 bcq 1 bf16"
  "maze2d-umaze-v1 bcq 0 bf16-policy" "maze2d-umaze-v1 bcq 1 bf16-policy"
  "maze2d-umaze-v1 bcq 0 fp32-2shards" "maze2d-umaze-v1 bcq 1 fp32-2shards"
  "hopper-medium-v2 bcq 0 fp32" "hopper-medium-v2 bcq 0 bf16"
  "hopper-medium-v2 bcq 1 fp32" "hopper-medium-v2 bcq 1 bf16"
  "maze2d-umaze-v1 cql 0 bf16" "maze2d-umaze-v1 cql 0 fp32"
  "hopper-medium-v2 cql 0 bf16" "hopper-medium-v2 cql 0 fp32"
  "maze2d-umaze-v1 cql 1 bf16" "maze2d-umaze-v1 cql 1 fp32"
  "hopper-medium-v2 cql 1 bf16" "hopper-medium-v2 cql 1 fp32"
)

suite() {  # arm (a precision or the control), then the suite's other flags
  local arm="$1" budget=long precision="$1"; shift
  local configs="${VALIDATION}/bin/d4rl_suite.runfiles/romi"  # eval/configs, datagen/policies
  if [[ "${arm}" == fp32-2shards ]]; then
    budget="${VALIDATION}/budget_long_2shards.textproto" precision=fp32
    # The long budget under its own name, each batch in 2 shards.
    sed -e 's/^name: "long"/name: "long-2shards"/' \
      -e 's/^  checkpoint_every: 5000/&\n  learner { parallel_shards: 2 }/' \
      -e 's/^note: "Budget .long.: /note: "Budget long-2shards (fp32, every batch in 2 shards: a control for the bf16 validation): /' \
      "${configs}/eval/configs/budget_long.textproto" >"${budget}"
  fi
  (cd "${configs}" &&
   "${VALIDATION}/bin/d4rl_suite" --budget="${budget}" --steps="${STEPS}" --precision="${precision}" \
     --jobs=1 --threads="${THREADS}" --progress=false --out="${VALIDATION}/${arm}" "$@")
}

# The campaign's finished fp32 BCQ runs on maze2d-umaze-v1, seeds 0 and 1, where not there yet.
seed_from_campaign() {
  local seed target
  for seed in 0 1; do
    target="${VALIDATION}/fp32/runs/maze2d-umaze-v1/bcq/seed${seed}"
    [[ -e "${target}/result.textproto" ]] && continue
    mkdir -p "${target}"
    cp "${CAMPAIGN_RESULTS}/bcq/seed${seed}"/{config,curve,result}.textproto "${target}/"
    cp "${CAMPAIGN_RESULTS}/bcq/seed${seed}/log.txt" "${target}/"
    echo "the campaign's run (commit $(git rev-parse --short HEAD), ${CAMPAIGN_RESULTS})" \
      >"${target}/from_campaign"
  done
}

run_all() {
  local run task method seed precision
  for run in "${RUNS[@]}"; do
    read -r task method seed precision <<<"${run}"
    echo "$(date -u '+%F %T') ${task} ${method} seed ${seed} ${precision}: start"
    if ! suite "${precision}" --tasks="${task}" --methods="${method}" --seeds="${seed}"; then
      echo "$(date -u '+%F %T') ${task} ${method} seed ${seed} ${precision}: failed"
    fi
  done
  echo "$(date -u '+%F %T') all runs done"
}

# One markdown row per (task, method, seed) with every precision's final score and last-10 mean,
# then per (task, method) the means over the seeds that fp32 and the precision both have. Arguments:
# each precision's finished.csv, fp32's first; $PRECISION_NAMES names them in the same order.
comparison() {
  awk -F, -v names="${PRECISION_NAMES}" '
    function field(name) { return $(column[name]) }
    BEGIN { np = split(names, name, " ") }
    FNR == 1 { p = ++files; delete column; for (i = 1; i <= NF; ++i) column[$i] = i; next }
    {
      key = field("task") SUBSEP field("method") SUBSEP field("seed")
      final[key, p] = sprintf("%.1f ± %.1f", field("score_mean"), field("score_std"))
      mean[key, p] = field("score_mean")
      last[key, p] = field("last_mean")
      if (!(key in seen)) { seen[key] = 1; sorted[++n] = key }
    }
    END {
      header = "| task | method | seed |"; rule = "|---|---|---:|"
      for (p = 1; p <= np; ++p) { header = header " final " name[p] " |"; rule = rule "---:|" }
      for (p = 1; p <= np; ++p) { header = header " last-10 " name[p] " |"; rule = rule "---:|" }
      print header; print rule
      for (k = 1; k <= n; ++k) {
        split(sorted[k], part, SUBSEP)
        line = "| " part[1] " | " part[2] " | " part[3] " |"
        # Presence is tested before any read: reading final[] or last[] would create the element.
        for (p = 1; p <= np; ++p) has[p] = (sorted[k], p) in final
        for (p = 1; p <= np; ++p) line = line " " (has[p] ? final[sorted[k], p] : "—") " |"
        for (p = 1; p <= np; ++p) {
          line = line " " (has[p] ? sprintf("%.1f", last[sorted[k], p]) : "—") " |"
        }
        print line
        # Seeds that fp32 and precision p both have, per cell.
        cell = part[1] " " part[2]
        for (p = 2; p <= np; ++p) {
          if (!(((sorted[k], 1) in mean) && ((sorted[k], p) in mean))) continue
          if (!((cell, p) in pairs)) cells[++ncells] = cell SUBSEP p
          pairs[cell, p] += 1
          for (q = 1; q <= 2; ++q) {
            v = q == 1 ? mean[sorted[k], 1] : mean[sorted[k], p]
            l = q == 1 ? last[sorted[k], 1] : last[sorted[k], p]
            sum[cell, p, q] += v; sumsq[cell, p, q] += v ^ 2; lsum[cell, p, q] += l
          }
        }
      }
      print ""
      print "Final: mean ± std over the seeds both precisions finished (population std, as in results.md)."
      print ""
      print "| task, method | precision | seeds with both | final fp32 | final precision | last-10 fp32 | last-10 precision |"
      print "|---|---|---:|---:|---:|---:|---:|"
      for (j = 1; j <= ncells; ++j) {
        split(cells[j], part, SUBSEP); cell = part[1]; p = part[2]
        c = pairs[cell, p]
        for (q = 1; q <= 2; ++q) {
          m[q] = sum[cell, p, q] / c
          # Population std over seeds, as every suite report gives it.
          s[q] = sqrt(max0((sumsq[cell, p, q] - c * m[q] ^ 2) / c))
        }
        printf "| %s | %s | %d | %.1f ± %.1f | %.1f ± %.1f | %.1f | %.1f |\n", cell, name[p], c,
               m[1], s[1], m[2], s[2], lsum[cell, p, 1] / c, lsum[cell, p, 2] / c
      }
    }
    function max0(x) { return x > 0 ? x : 0 }' "$@"
}

# The critic's mean Q on the training batch (BCQ's q_mean, CQL's q_data) every 10 000 steps, one
# markdown row per run and arm, read from the runs' logs under $VALIDATION. The runs of one seed
# see the same batches in every arm, so their rows compare step by step; the fp32-2shards control
# shows how far rounding alone, with no change of precision, moves them apart.
q_table() {
  local precision log run
  echo "| task | method | seed | precision | Q at 10k | 20k | 30k | 40k | 50k | 60k | 70k | 80k | 90k | 100k |"
  echo "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for log in "${VALIDATION}"/*/runs/*/*/*/log.txt; do
    run="${log#"${VALIDATION}/"}"
    IFS=/ read -r precision _ task method seed _ <<<"${run}"
    awk -v prefix="| ${task} | ${method} | ${seed#seed} | ${precision} |" '
      / \[learner\] step / {
        for (i = 1; i <= NF; ++i) {
          if ($i == "step") step = $(i + 1)
          if ($i == "q_mean" || $i == "q_data") { q = $(i + 1); sub(/,$/, "", q) }
        }
        if (step % 10000 == 0 && step > 0) value[step / 10000] = q
      }
      END {
        line = prefix
        for (k = 1; k <= 10; ++k) line = line " " ((k in value) ? value[k] : "—") " |"
        print line
      }' "${log}"
  done | sort -t '|' -k2,2 -k3,3 -k4,4n -k5,5
}

# task,method,seed,score_mean,score_std,last_mean of every finished run under $1 (a precision's
# output), read from the runs' result.textproto: it needs no suite, so it works while one trains.
finished_runs_csv() {
  local result run
  echo "task,method,seed,score_mean,score_std,last_mean"
  for result in "$1"/runs/*/*/*/result.textproto; do
    [[ -e "${result}" ]] || continue
    run="${result#"$1/runs/"}"
    IFS=/ read -r task method seed _ <<<"${run}"
    awk -v prefix="${task},${method},${seed#seed}" '
      /^final \{/ { in_final = 1 } in_final && /^}/ { in_final = 0 }
      in_final && /^  score_mean:/ { mean = $2 } in_final && /^  score_std:/ { std = $2 }
      /^last_mean:/ { last = $2 }
      END { printf "%s,%s,%s,%s\n", prefix, mean, std, last }' "${result}"
  done
}

case "${1:-}" in
  start)
    if pgrep -f "${SELF} run-all" >/dev/null || pgrep -f "${VALIDATION}/bin/d4rl_suite" >/dev/null
    then
      echo "the validation is already running"; exit 0
    fi
    tools/install_suite.sh "${VALIDATION}"
    seed_from_campaign
    nohup nice -n 19 "${SELF}" run-all >>"${VALIDATION}/validation.log" 2>&1 &
    echo "started (pid $!); log: ${VALIDATION}/validation.log"
    ;;
  run-all)
    run_all
    ;;
  stop)
    pkill -f "${SELF} run-all" || true
    pkill -f "${VALIDATION}/bin/d4rl_suite" || echo "no run was training"
    ;;
  status)
    for run in "${RUNS[@]}"; do
      read -r task method seed precision <<<"${run}"
      log="${VALIDATION}/${precision}/runs/${task}/${method}/seed${seed}/log.txt"
      line="not started"
      # `|| true`: a log with no such line yet must not end the loop under `set -e`.
      [[ -e "${log}" ]] && line="$(grep -E '\[(learner|evaluation)\]' "${log}" | tail -n 1 || true)"
      echo "${task} ${method} seed ${seed} ${precision}: ${line}"
    done
    ;;
  collect)
    mkdir -p "${RESULTS_DIR}"
    for precision in "${PRECISIONS[@]}"; do
      [[ -d "${VALIDATION}/${precision}" ]] || continue
      mkdir -p "${RESULTS_DIR}/${precision}"
      # The suite's report, unless a suite is training there now (it holds the directory's lock).
      if suite "${precision}" --collect --tasks="${TASKS}" --methods="${METHODS}" \
           --seeds="${SEEDS}" >/dev/null 2>&1; then
        cp "${VALIDATION}/${precision}"/{results.md,results.csv,curves.csv} \
          "${RESULTS_DIR}/${precision}/"
      fi
      finished_runs_csv "${VALIDATION}/${precision}" >"${RESULTS_DIR}/${precision}/finished.csv"
      for dir in "${VALIDATION}/${precision}"/runs/*/*/*/; do
        run="${dir#"${VALIDATION}/${precision}/runs/"}"
        mkdir -p "${RESULTS_DIR}/${precision}/runs/${run}"
        copy_run_files "${dir}" "${RESULTS_DIR}/${precision}/runs/${run}"
        if [[ -e "${dir}from_campaign" ]]; then
          cp "${dir}from_campaign" "${RESULTS_DIR}/${precision}/runs/${run}/"
        fi
      done
    done
    names=() files=()
    for precision in "${PRECISIONS[@]}"; do
      [[ -e "${RESULTS_DIR}/${precision}/finished.csv" ]] || continue
      names+=("${precision}") files+=("${RESULTS_DIR}/${precision}/finished.csv")
    done
    {
      PRECISION_NAMES="${names[*]}" comparison "${files[@]}"
      echo
      q_table
    } >"${RESULTS_DIR}/comparison.md"
    cp "${VALIDATION}/validation.log" "${RESULTS_DIR}/" 2>/dev/null || true
    cat "${RESULTS_DIR}/comparison.md"
    ;;
  *)
    echo "usage: $0 start|stop|status|collect" >&2; exit 2
    ;;
esac
