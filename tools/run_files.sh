# Sourced, not run: which of a suite's output files are small enough to commit, and how to copy
# them. One list for every long run (tools/campaign.sh, tools/experiment_results.sh,
# tools/bf16_validation.sh), so that
# what a collect commits is exactly what a restore can put back.

# A run's small files (never checkpoints or buffers). data.fingerprint names the rows the run was
# trained on: a restored run's result is then checked against the data the suite loads, instead of
# being stamped with whatever it loads.
readonly RUN_FILES=(curve.textproto result.textproto log.txt config.textproto data.fingerprint)

# Copies the RUN_FILES that directory $1 has into directory $2.
copy_run_files() {
  local file
  for file in "${RUN_FILES[@]}"; do
    [[ -e "$1/${file}" ]] && cp "$1/${file}" "$2/"
  done
  return 0
}
