#!/usr/bin/env bash
# Signed GitHub push deliveries through `baton serve` (each accepted: durable group commit, a
# queued TaskRun that then runs `true`) beside a bare Beast server, same run, via http_bench.sh.
#   usage: tests/bench/webhook_bench.sh [BATON] [CONNECTIONS] [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
baton=${1:-$here/../../build/engine/cmd/baton}
conns=${2:-16}
secs=${3:-5}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p "$dir/src" "$dir/home"
# The push listener of the crash test, its step made `true`.
sed -n '/^const char kListener\[\] = R"yaml(/,/^)yaml";/p' "$here/../serve/serve_crash_test.cc" |
  sed '1d;$d' | sed 's/sleep 0.3/true/' > "$dir/src/listener.yaml"
cat > "$dir/baton.yaml" <<YAML
apiVersion: baton.dev/v1alpha1
kind: ServeConfig
listen: 127.0.0.1:0
home: $dir/home
sources: [{directory: $dir/src}]
limits: {queuedRuns: 1000000, runs: 2}
YAML
"$baton" serve --config "$dir/baton.yaml" > "$dir/serve.log" 2>&1 &
pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/serve.log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { cat "$dir/serve.log"; exit 1; }
body='{"after":"abc","branch":"main"}'
printf '%s' "$body" > "$dir/body.json"
sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac s3cret | awk '{print $2}')
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$here/http_bench.sh" -d "$secs" -c "$conns" -b "$dir/body.json" -H 'X-GitHub-Event: push' \
  -H "X-Hub-Signature-256: sha256=$sig" -H 'Content-Type: application/json' \
  -u X-GitHub-Delivery "http://127.0.0.1:$port/hooks/pushes"
echo "deliveries stored (all, accepted): $(sqlite3 "$dir/home/baton.db" \
  "select count(*) || ', ' || sum(result = 'accepted') from deliveries")"
