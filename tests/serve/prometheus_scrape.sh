#!/usr/bin/env bash
# A real Prometheus scrapes `baton serve`'s /metrics while a webhook-triggered run finishes; a
# PromQL query through Prometheus's own HTTP API must return the run counter.
#   usage: prometheus_scrape.sh BATON_BINARY
set -euo pipefail
baton=$1
command -v prometheus >/dev/null || { echo "prometheus is not installed (scripts/deps.sh)"; exit 1; }
dir=$(mktemp -d)
cleanup() {
  [[ -n ${serve_pid:-} ]] && kill "$serve_pid" 2>/dev/null || true
  [[ -n ${prom_pid:-} ]] && kill "$prom_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/sources" "$dir/home"
cat > "$dir/sources/listener.yaml" <<'YAML'
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: hello}
spec:
  triggers:
    - name: hello
      bindings: [{name: who, value: $(body.who)}]
      template:
        spec:
          params: [{name: who}]
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {generateName: hello-}
              spec:
                pipelineSpec:
                  tasks:
                    - name: greet
                      taskSpec:
                        steps: [{image: busybox, script: "echo hello $(tt.params.who)"}]
YAML
cat > "$dir/baton.yaml" <<YAML
apiVersion: baton.dev/v1alpha1
kind: ServeConfig
listen: 127.0.0.1:0
home: $dir/home
sources: [{directory: $dir/sources}]
YAML
"$baton" serve --config "$dir/baton.yaml" > "$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 200); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/serve.log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { cat "$dir/serve.log"; echo "baton serve did not start"; exit 1; }

curl -sf -X POST -H 'Content-Type: application/json' -d '{"who": "prometheus"}' \
  "http://127.0.0.1:$port/hooks/hello" > "$dir/answer.json"
grep -q '"result":"accepted"' "$dir/answer.json" || { cat "$dir/answer.json"; exit 1; }

# Prometheus needs a fixed port: ask the kernel for a free one.
prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/prometheus.yml" <<YAML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: baton
    static_configs: [{targets: ["127.0.0.1:$port"]}]
YAML
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" > "$dir/prometheus.log" 2>&1 &
prom_pid=$!

query='sum(baton_runs_total{outcome="succeeded"})'
for _ in $(seq 120); do
  result=$(curl -sf --get --data-urlencode "query=$query" \
    "http://127.0.0.1:$prom_port/api/v1/query" || true)
  value=$(python3 -c 'import json,sys
try:
  r=json.loads(sys.argv[1])["data"]["result"]; print(r[0]["value"][1] if r else "")
except Exception: print("")' "$result")
  if [[ -n $value && $value != 0 ]]; then
    echo "Prometheus answered $query = $value"
    up=$(curl -sf --get --data-urlencode 'query=up{job="baton"}' "http://127.0.0.1:$prom_port/api/v1/query")
    echo "up: $up"
    grep -q '"value":\[[0-9.]*,"1"\]' <<<"$up" || { echo "target not up"; exit 1; }
    exit 0
  fi
  sleep 0.5
done
echo "Prometheus never returned the run counter; last answer: $result"
tail -20 "$dir/prometheus.log"
exit 1
