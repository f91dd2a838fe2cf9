#!/usr/bin/env bash
# Runs every Tekton example marked runnable on a host (index.tsv: runnable_on_host yes or
# partial) through `baton run`, the way Tekton's e2e suite judges them: a run passes when it
# ends Succeeded=True (exit status 0). Prints one line per example, the failures with the tail
# of their output, and a closing `N passed, M failed` line. Known failures and why are in
# KNOWN_FAILURES.md next to this script.
#
#   tests/conformance/run-examples.sh [BATON] [CORPUS_DIR]
#   BATON_CONFORMANCE_TIMEOUT=120     per-example limit in seconds
#   BATON_CONFORMANCE_MIN_PERCENT=95  exit non-zero below this pass rate
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
baton="${1:-$root/build/engine/cmd/baton}"
corpus="${2:-$root/../shared/corpus}"
limit="${BATON_CONFORMANCE_TIMEOUT:-120}"
min_percent="${BATON_CONFORMANCE_MIN_PERCENT:-95}"
index="$corpus/tekton-examples/index.tsv"
[ -x "$baton" ] || { echo "run-examples: no baton at $baton" >&2; exit 2; }
[ -f "$index" ] || { echo "run-examples: no index at $index" >&2; exit 2; }

work="$(mktemp -d /tmp/baton-conformance.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export BATON_HOME="$work/home"

passed=0; failed=0; failures=()
# awk, not `read`: IFS=tab would merge the index's empty columns.
while read -r path; do
  log="$work/$(echo "$path" | tr '/' '_').log"
  start=$(date +%s%N)
  timeout --kill-after=10 "$limit" "$baton" run --quiet "$corpus/tekton-examples/$path" >"$log" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); printf 'PASS %7sms  %s\n' "$ms" "$path"
  else
    failed=$((failed + 1)); failures+=("$path"); printf 'FAIL %7sms  %s (exit %d)\n' "$ms" "$path" "$rc"
  fi
done < <(awk -F'\t' 'NR > 1 && ($11 == "yes" || $11 == "partial") { print $1 }' "$index")

if ((failed)); then
  echo
  echo "== failures (last lines of each) =="
  for f in "${failures[@]}"; do
    echo "--- $f"
    tail -n 12 "$work/$(echo "$f" | tr '/' '_').log" | sed 's/^/    /'
  done
fi
total=$((passed + failed))
percent=$(( total ? passed * 100 / total : 0 ))
echo
echo "conformance: ${percent}% of runnable examples pass (target ${min_percent}%)"
echo "$passed passed, $failed failed"
[ "$percent" -ge "$min_percent" ]
