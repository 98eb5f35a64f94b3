#!/usr/bin/env bash
# A paper experiment's small outputs (--experiment=<name>), committed and put back, so that a
# preset that takes hours survives a machine that does not outlive the session.
#
#   tools/experiment_results.sh collect OUT DEST   copy the reports (experiment_*.md, results.*,
#       curves.csv, the PNGs) and every run's small files (tools/run_files.sh; model-error runs'
#       result, config and data.fingerprint) from the suite directory OUT into DEST
#       (e.g. docs/results/experiments/table5-quick). Never checkpoints, buffers or datasets.
#   tools/experiment_results.sh restore DEST OUT   put DEST's runs back into OUT where OUT has no
#       such run yet. The suite then reads a restored run back only if its config.textproto is
#       the one asked for and its data.fingerprint matches the data it loads; otherwise it says
#       so and the run is trained again.
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/.."
source tools/run_files.sh

readonly REPORT_GLOBS=(experiment_*.md results.md results.csv results.json curves.csv '*.png')

# Every run directory under $1 (runs/<task>/<method>/seed<N>, model_error/<task>/<model>/seed<N>),
# relative to $1.
run_dirs() {
  (cd "$1" && for dir in runs/*/*/seed* model_error/*/*/seed*; do
     [[ -d "${dir}" ]] && echo "${dir}"
   done) || true
}

case "${1:-}" in
  collect)
    out="${2:?usage: $0 collect OUT DEST}"; dest="${3:?usage: $0 collect OUT DEST}"
    [[ -d "${out}" ]] || { echo "no suite directory ${out}" >&2; exit 1; }
    mkdir -p "${dest}"
    for glob in "${REPORT_GLOBS[@]}"; do
      for file in "${out}"/${glob}; do [[ -e "${file}" ]] && cp "${file}" "${dest}/"; done
    done
    count=0
    while read -r run; do
      mkdir -p "${dest}/${run}"
      copy_run_files "${out}/${run}" "${dest}/${run}"
      count=$((count + 1))
    done < <(run_dirs "${out}")
    echo "collected the reports and ${count} runs of ${out} into ${dest}"
    ;;
  restore)
    dest="${2:?usage: $0 restore DEST OUT}"; out="${3:?usage: $0 restore DEST OUT}"
    restored=0
    while read -r run; do
      [[ -e "${dest}/${run}/result.textproto" ]] || continue  # a run that had not finished
      if [[ -e "${out}/${run}" ]]; then echo "${run}: already in ${out}, kept"; continue; fi
      mkdir -p "${out}/${run}"
      copy_run_files "${dest}/${run}" "${out}/${run}"
      restored=$((restored + 1))
    done < <(run_dirs "${dest}")
    echo "restored ${restored} finished runs from ${dest} into ${out}"
    ;;
  *)
    echo "usage: $0 collect OUT DEST | restore DEST OUT" >&2; exit 2
    ;;
esac
