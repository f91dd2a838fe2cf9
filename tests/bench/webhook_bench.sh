#!/usr/bin/env bash
# Signed GitHub push deliveries through `baton serve` (each accepted: durable group commit, a
# queued TaskRun that then runs `true`) beside a bare Beast server, same run, via http_bench.sh.
# Two passes: closed loop (as fast as CONNECTIONS allow: throughput against the bare server) and
# paced at RATE deliveries/s (the latency target is stated at a rate). Each pass prints the
# server's CPU per delivery (its own threads; the runs' `true` children not included).
#   usage: tests/bench/webhook_bench.sh [BATON] [CONNECTIONS] [SECONDS] [RATE]
#   RATE=0 skips the paced pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
baton=${1:-$here/../../build/engine/cmd/baton}
conns=${2:-16}
secs=${3:-5}
rate=${4:-1000}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p "$dir/src" "$dir/home"
# The push listener of the crash test, its step made `true` and its branch read from a real
# push payload's `ref`.
sed -n '/^const char kListener\[\] = R"yaml(/,/^)yaml";/p' "$here/../serve/serve_crash_test.cc" |
  sed '1d;$d' | sed 's/sleep 0.3/true/; s/\$(body.branch)/$(body.ref)/' > "$dir/src/listener.yaml"
cat > "$dir/baton.yaml" <<YAML
apiVersion: baton.dev/v1alpha1
kind: ServeConfig
listen: 127.0.0.1:0
home: $dir/home
sources: [{directory: $dir/src}]
limits: {queuedRuns: 1000000, runs: 2}
YAML
# serve_once [http_bench options]: a fresh `baton serve` (empty store), one http_bench run
# against it, then what the store holds and the server's CPU.
serve_once() {
  rm -rf "$dir/home"
  mkdir -p "$dir/home"
  "$baton" serve --config "$dir/baton.yaml" > "$dir/serve.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/serve.log")
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { cat "$dir/serve.log"; exit 1; }
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  local cpu0 cpu1
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  "$here/http_bench.sh" -d "$secs" -c "$conns" -b "$dir/body.json" -H 'X-GitHub-Event: push' \
    -H "X-Hub-Signature-256: sha256=$sig" -H 'Content-Type: application/json' \
    -u X-GitHub-Delivery "$@" "http://127.0.0.1:$port/hooks/pushes"
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local n
  n=$(sqlite3 "$dir/home/baton.db" "select count(*) from deliveries")
  echo "deliveries stored (all, accepted): $(sqlite3 "$dir/home/baton.db" \
    "select count(*) || ', ' || sum(result = 'accepted') from deliveries")"
  echo "runs (one per accepted delivery) by state: $(sqlite3 "$dir/home/baton.db" \
    "select group_concat(status || ' ' || n, ', ') from \
     (select status, count(*) n from runs group by status order by status)")"
  awk -v c=$((cpu1 - cpu0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    if (n > 0) printf "baton serve CPU: %.2f s for the pass, %.0f us per delivery\n", c / hz, 1e6 * c / hz / n }'
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
# A real GitHub push delivery body (the corpus's api.github.com example, ~7 KB): its JSON parse,
# HMAC and stored bytes are part of what each delivery costs.
corpus=${BATON_CORPUS_DIR:-$here/../../../shared/corpus}
cp "$corpus/github-webhooks/payload-examples/api.github.com/push/payload.json" "$dir/body.json"
sig=$(openssl dgst -sha256 -hmac s3cret < "$dir/body.json" | awk '{print $NF}')
echo "== closed loop, $conns connections"
serve_once
if [[ $rate != 0 ]]; then
  echo "== paced at $rate requests/s, $conns connections"
  serve_once -r "$rate"
fi
