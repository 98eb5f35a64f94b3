#!/usr/bin/env bash
# Fails, listing the files, when a C++ file differs from clang-format's output (.clang-format:
# Google style at 100 columns). Fix with: clang-format -i <files>.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
  echo "check_format: clang-format is not installed (tools/bootstrap.sh installs it)" >&2
  exit 1
fi
bad=()
while IFS= read -r file; do
  if ! clang-format --dry-run -Werror "${file}" >/dev/null 2>&1; then bad+=("${file}"); fi
done < <(git ls-files '*.cc' '*.h')
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "check_format: ${#bad[@]} file(s) not formatted (run clang-format -i on them):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_format: $(git ls-files '*.cc' '*.h' | wc -l) C++ files formatted"
