#!/usr/bin/env bash
# Fuzzes the readers of untrusted files (D4RL files, torch archives, text configs) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (clang 14; tools/bootstrap.sh installs it).
#
#   tools/fuzz.sh --smoke                 every target for a few seconds (the README's test command)
#   tools/fuzz.sh --seconds=S [target...] each target for S seconds (default: 60)
#   tools/fuzz.sh --runs=N [target...]    each target for N inputs
#
# A target is a name (d4rl_file_fuzzer) or a label (//data:d4rl_file_fuzzer); by default every
# cc_fuzz_target (base/fuzz.bzl) in the tree, one after the other.
#
# The build is --config=fuzz (.bazelrc) in an output base of its own, ~/.cache/romi-fuzz-bazel/
# <hash of this checkout's path>, so the gcc build's outputs stay as they are (the disk cache of
# ~/.bazelrc is shared: a fresh clone rebuilds only what changed). Corpora grow outside the tree in
# $ROMI_FUZZ_DIR (default ~/.cache/romi-fuzz): corpus/<target>/, starting from the inputs of the
# target's <target>_test (its seeds and the regression inputs in <package>/testdata/<target>/);
# logs/<target>.log; crashing inputs in artifacts/<target>/. For a crash: copy the input to
# <package>/testdata/<target>/regression-<what>, fix the code, and check the fix with
# `bazel test //<package>:<target>_test` (gcc) and this script (sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
runs=""
smoke=false
targets=()
for arg in "$@"; do
  case "${arg}" in
    --smoke) smoke=true ;;
    --seconds=*) seconds="${arg#*=}" ;;
    --runs=*) runs="${arg#*=}" ;;
    -h | --help)
      sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "fuzz.sh: unknown flag ${arg} (see --help)" >&2
      exit 2
      ;;
    *) targets+=("${arg}") ;;
  esac
done
# Smoke: each target's seeds and regression inputs, then 4 s of mutations (some hundreds of inputs
# for the torch and HDF5 readers, thousands for the text ones), from a corpus thrown away after, so
# that its time does not grow with the kept corpora.
${smoke} && seconds=4 && runs=""

log() { printf '[fuzz] %s\n' "$*"; }

if ! command -v clang-14 >/dev/null 2>&1; then
  log "error: clang-14 is missing; run tools/bootstrap.sh (Debian: clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi

workspace="$(pwd -P)"
output_base="${HOME}/.cache/romi-fuzz-bazel/$(printf '%s' "${workspace}" | md5sum | cut -c1-32)"
# The same startup options every time, or Bazel restarts its server; an idle one exits after 15 min.
fuzz_bazel() { bazel --output_base="${output_base}" --max_idle_secs=900 "$@"; }

fuzz_dir="${ROMI_FUZZ_DIR:-${HOME}/.cache/romi-fuzz}"
start=${SECONDS}

# Every cc_fuzz_target in the tree, as labels (read from the BUILD files: `bazel query //...` from
# this output base would wander into the gcc build's bazel-* links).
mapfile -t all_labels < <(git ls-files '*BUILD' | xargs awk '
  /^cc_fuzz_target\(/ { inside = 1 }
  inside && match($0, /name = "[^"]+"/) {
    package = FILENAME; sub(/\/?BUILD$/, "", package)
    print "//" package ":" substr($0, RSTART + 8, RLENGTH - 9); inside = 0
  }')
if [[ ${#all_labels[@]} -eq 0 ]]; then
  log "error: no cc_fuzz_target found" >&2
  exit 1
fi
labels=()
if [[ ${#targets[@]} -eq 0 ]]; then
  # Without names: all but those whose library is known to crash on hostile input (base/fuzz.bzl).
  mapfile -t labels < <(fuzz_bazel query --noshow_progress \
    "set(${all_labels[*]}) except attr(tags, fuzz_only_when_named, set(${all_labels[*]}))" \
    2>/dev/null)
fi
for target in "${targets[@]}"; do
  label=""
  for candidate in "${all_labels[@]}"; do
    [[ "${candidate}" == "${target}" || "${candidate##*:}" == "${target}" ]] && label="${candidate}"
  done
  if [[ -z "${label}" ]]; then
    log "error: no fuzz target ${target} (there are: ${all_labels[*]##*:})" >&2
    exit 2
  fi
  labels+=("${label}")
done
# A failed query above leaves no labels: fuzzing nothing must not pass.
if [[ ${#labels[@]} -eq 0 ]]; then
  log "error: no fuzz target selected (did the bazel query fail?)" >&2
  exit 1
fi

log "building ${#labels[@]} target(s) with clang 14 + libFuzzer + ASan + UBSan"
fuzz_bazel build --config=fuzz --noshow_progress "${labels[@]}"
bin="$(fuzz_bazel info --config=fuzz bazel-bin 2>/dev/null)"
log "built in $((SECONDS - start)) s"

# allocator_may_return_null: HDF5 and LibTorch check what malloc returns; a huge request from a
# corrupt header gets NULL, as from glibc's malloc, instead of ASan's abort. detect_leaks=0:
# LibTorch, HDF5 and Protobuf keep process-lifetime caches that LeakSanitizer reports as leaks.
export ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=0${ASAN_OPTIONS:+:${ASAN_OPTIONS}}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:${UBSAN_OPTIONS}}"
# One core per fuzzer: LibTorch's thread pool would only add noise on a loaded machine.
export OMP_NUM_THREADS=1

failed=()
for label in "${labels[@]}"; do
  package="${label#//}"
  package="${package%%:*}"
  name="${label##*:}"
  corpus="${fuzz_dir}/corpus/${name}"
  ${smoke} && corpus="${fuzz_dir}/smoke-corpus/${name}" && rm -rf "${corpus}"
  seeds="${fuzz_dir}/seeds/${name}"
  artifacts="${fuzz_dir}/artifacts/${name}"
  logfile="${fuzz_dir}/logs/${name}.log"
  mkdir -p "${corpus}" "${artifacts}" "$(dirname "${logfile}")"
  # The seeds: what the target's replay test reads (its `data`), copied out of the tree.
  rm -rf "${seeds}"
  mkdir -p "${seeds}"
  while IFS= read -r input; do
    file="${input#//}"
    file="${file/://}"
    cp "${file}" "${seeds}/$(printf '%s' "${file}" | tr '/' '_')"
  done < <(fuzz_bazel query --noshow_progress "labels(data, ${label}_test)" 2>/dev/null)

  limit=(-max_total_time="${seconds}")
  [[ -n "${runs}" ]] && limit=(-runs="${runs}")
  status=0
  # -rss_limit_mb: LibTorch's unpickler allocates and zero-fills a string of whatever length (up
  # to 4 GiB: a 32-bit field) a corrupt archive of a few KB declares, before it finds the archive
  # shorter and throws; that cannot be checked without parsing the pickle ourselves, so the
  # limit leaves room for it (one fuzzer runs at a time).
  (cd "${fuzz_dir}" && "${bin}/${package}/${name}" "${limit[@]}" -timeout=25 -rss_limit_mb=6144 \
    -print_final_stats=1 -artifact_prefix="${artifacts}/" "${corpus}" "${seeds}") \
    >"${logfile}" 2>&1 || status=$?
  stats="$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "${logfile}" | tail -n 1 |
    grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)"
  execs="$(grep -oE 'number_of_executed_units: [0-9]+' "${logfile}" | grep -oE '[0-9]+' || true)"
  rate="$(grep -oE 'average_exec_per_sec: +[0-9]+' "${logfile}" | grep -oE '[0-9]+' || true)"
  files="$(find "${corpus}" -type f | wc -l)"
  if [[ ${status} -eq 0 ]]; then
    log "${name}: ${execs:-?} inputs, ${rate:-?}/s, ${stats:-no coverage line}, corpus ${files} files"
  else
    failed+=("${name}")
    log "${name}: FAILED (exit ${status}); log ${logfile}:" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal|out-of-memory|timeout' \
      "${logfile}" | head -n 20 >&2 || true
  fi
done

log "done in $((SECONDS - start)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
  log "crashes in: ${failed[*]} (inputs under ${fuzz_dir}/artifacts/)" >&2
  exit 1
fi
