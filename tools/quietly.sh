#!/usr/bin/env bash
# Runs a command with its output held back, so that `make` prints its own progress rather than every
# tool's chatter: the output is shown (on stderr) only if the command fails; the exit status is kept.
#   tools/quietly.sh COMMAND [ARG...]
set -uo pipefail

output=$(mktemp)
trap 'rm -f "$output"' EXIT
"$@" >"$output" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  cat "$output" >&2
  echo "Failed with exit status $status: $*" >&2
fi
exit "$status"
