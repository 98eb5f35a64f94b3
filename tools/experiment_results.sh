#!/usr/bin/env bash
# A paper experiment's small outputs (--experiment=<name>), committed and put back, so that a
# preset that takes hours survives a machine that does not outlive the session.
#
#   tools/experiment_results.sh collect OUT DEST   copy the reports (experiment_*.md, results.*,
#       curves.csv, the PNGs) and every run's small files (tools/run_files.sh; model-error runs'
#       result, config and data.fingerprint) from the suite directory OUT into DEST
#       (e.g. docs/results/experiments/table5-quick). Never checkpoints, buffers or datasets.
#   tools/experiment_results.sh restore DEST OUT   put DEST's finished runs back into OUT where
#       OUT has no such run yet. The suite then reads a restored run back only if its
#       config.textproto is the one asked for and its data.fingerprint matches the data it loads;
#       otherwise it says so. A committed run without both files (made before runs recorded them)
#       is not restored: nothing could check it.
set -euo pipefail
# The caller's relative paths, before the cd below.
args=()
for arg in "${@:2}"; do args+=("$(realpath -m "${arg}")"); done
cd "$(dirname "$(realpath "$0")")/.."
source tools/run_files.sh

readonly REPORT_GLOBS=(experiment_*.md results.md results.csv results.json curves.csv '*.png'
                       'model_error_*.dat')

# Every run directory under $1 (runs/<task>/<method>/seed<N>, model_error/<task>/<model>/seed<N>),
# relative to $1.
run_dirs() {
  local dir
  for dir in "$1"/runs/*/*/seed* "$1"/model_error/*/*/seed*; do
    if [[ -d "${dir}" ]]; then echo "${dir#"$1/"}"; fi
  done
}

need_dir() { [[ -d "$1" ]] || { echo "error: no directory $1" >&2; exit 1; }; }

case "${1:-}" in
  collect)
    [[ ${#args[@]} -eq 2 ]] || { echo "usage: $0 collect OUT DEST" >&2; exit 2; }
    out="${args[0]}"; dest="${args[1]}"
    need_dir "${out}"
    mkdir -p "${dest}"
    for glob in "${REPORT_GLOBS[@]}"; do
      for file in "${out}"/${glob}; do
        if [[ -e "${file}" ]]; then cp "${file}" "${dest}/"; fi
      done
    done
    count=0
    while read -r run; do
      # OUT is the truth: a file committed before (a result of settings since changed) goes.
      rm -rf "${dest:?}/${run}"
      mkdir -p "${dest}/${run}"
      copy_run_files "${out}/${run}" "${dest}/${run}"
      count=$((count + 1))
    done < <(run_dirs "${out}")
    echo "collected the reports and ${count} runs of ${out} into ${dest}"
    ;;
  restore)
    [[ ${#args[@]} -eq 2 ]] || { echo "usage: $0 restore DEST OUT" >&2; exit 2; }
    dest="${args[0]}"; out="${args[1]}"
    need_dir "${dest}"
    restored=0
    while read -r run; do
      [[ -e "${dest}/${run}/result.textproto" ]] || continue  # a run that had not finished
      if [[ ! -e "${dest}/${run}/config.textproto" || ! -e "${dest}/${run}/data.fingerprint" ]]
      then
        echo "${run}: no config.textproto or data.fingerprint to check it by, not restored"
        continue
      fi
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
