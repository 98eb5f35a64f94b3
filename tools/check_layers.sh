#!/usr/bin/env bash
# Fails, listing each offending line, when an #include or a BUILD dependency points up a floor.
# The floors (docs/ARCHITECTURE.md), lowest first; a package sees its own floor and those below:
#   base < envs < data < learners < datagen, romi < eval < tests
# datagen and romi share a floor and must not see each other: the ROMI library never needs to
# know how a dataset was generated, and the generators never need ROMI.
set -euo pipefail
cd "$(dirname "$0")/.."

# file:line:reference, for every #include of a project header and every //package label.
references() {
  git ls-files '*.cc' '*.h' | xargs grep -HnoE '^#include "[a-z_]+/' || true
  # Visibility lists (//pkg:__pkg__, //pkg:__subpackages__) name who may depend, not dependencies.
  git ls-files '*BUILD' | xargs grep -HnoE '"//[a-z_/]+(:[A-Za-z0-9_]+)?"' |
    grep -vE ':__(pkg|subpackages)__"$' || true
}

references | awk -F: '
  BEGIN {
    split("base envs data learners datagen romi eval tests", names, " ")
    split("0 1 2 3 4 4 5 6", floors, " ")
    for (i in names) floor[names[i]] = floors[i]
  }
  {
    from = $1; sub(/\/.*/, "", from)
    to = $3; sub(/^#include "/, "", to); sub(/^"\/\//, "", to); sub(/[\/"].*/, "", to)
    if (!(from in floor) || !(to in floor) || from == to) next
    if (floor[to] >= floor[from]) {
      printf "check_layers: %s:%s: %s (floor %d) points %s to %s (floor %d)\n", $1, $2, from,
             floor[from], (floor[to] > floor[from] ? "up" : "across"), to, floor[to] > "/dev/stderr"
      bad++
    }
  }
  END {
    if (bad > 0) {
      printf "check_layers: %d reference(s) do not point down a floor\n", bad > "/dev/stderr"
      exit 1
    }
    print "check_layers: every #include and BUILD dependency points down a floor"
  }'
