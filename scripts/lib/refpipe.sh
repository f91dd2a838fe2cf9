# Shared by scripts/demo.sh and tests/integration/refpipe_e2e.sh: brings up the reference
# pipeline's local world (a git daemon with the sample app and manifest repositories, the
# docker-registry package's registry, `baton serve` with the catalog), sends signed webhooks,
# follows runs, and tears everything down. Source it; call refpipe_up STATE_DIR first.
#
# Every process started here is recorded and killed by refpipe_down (installed as an EXIT trap
# by refpipe_up). Ports are free ports picked by the kernel; nothing listens beyond 127.0.0.1.

REFPIPE_ROOT=${REFPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
REFPIPE_PIDS=()

refpipe_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# refpipe_wait SECONDS CMD...: polls CMD until it succeeds or the deadline passes.
refpipe_wait() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

refpipe_down() {
  local pid
  for pid in "${REFPIPE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${REFPIPE_PIDS[@]}"; do
    # git daemon forks per connection: its group goes too.
    kill -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  REFPIPE_PIDS=()
}

# Makes a bare repository $2 from the files of directory $1 (one commit on main).
refpipe_make_repo() {
  local src=$1 bare=$2 work
  work=$(mktemp -d)
  cp -a "$src/." "$work/"
  git -C "$work" init -q -b main
  git -C "$work" add -A
  git -C "$work" -c user.name=demo -c user.email=demo@localhost commit -qm "initial import from pipelines/demo"
  git clone -q --bare "$work" "$bare"
  rm -rf "$work"
}

# refpipe_commit_app STATE MESSAGE [FILE CONTENT]: pushes a new commit to the app repository
# (optionally rewriting FILE) and prints its id.
refpipe_commit_app() {
  local state=$1 msg=$2 file=${3:-} content=${4:-} work
  work=$(mktemp -d)
  git clone -q "$state/git/demo-app.git" "$work"
  if [[ -n $file ]]; then printf '%s' "$content" > "$work/$file"; else date +%s%N > "$work/.stamp"; fi
  git -C "$work" add -A
  git -C "$work" -c user.name=demo -c user.email=demo@localhost commit -qm "$msg"
  git -C "$work" push -q origin main
  git -C "$work" rev-parse HEAD
  rm -rf "$work"
}

# refpipe_registry_start STATE: starts the registry of $STATE/registry.yml on $REFPIPE_REGISTRY
# (again after refpipe_registry_stop: same port, same storage); sets REFPIPE_REGISTRY_PID.
refpipe_registry_start() {
  local state=$1
  docker-registry serve "$state/registry.yml" >> "$state/registry.log" 2>&1 &
  REFPIPE_REGISTRY_PID=$!
  REFPIPE_PIDS+=($!)
  refpipe_wait 20 curl -sf "http://$REFPIPE_REGISTRY/v2/" ||
    { cat "$state/registry.log"; echo "registry did not start" >&2; return 1; }
}

# refpipe_registry_stop: stops the registry (an outage, for the retry-failed path).
refpipe_registry_stop() {
  kill "$REFPIPE_REGISTRY_PID" 2>/dev/null || true
  wait "$REFPIPE_REGISTRY_PID" 2>/dev/null || true
  ! curl -sf -m 2 "http://$REFPIPE_REGISTRY/v2/" >/dev/null 2>&1
}

# refpipe_up STATE_DIR BATON [TRIVY_REPORT] [NOTIFY_URL]: fresh repositories, registry, serve.
# Sets REFPIPE_GIT_PORT, REFPIPE_REGISTRY, REFPIPE_SERVE_URL, REFPIPE_SECRET, REFPIPE_STORE.
refpipe_up() {
  local state=$1 baton=$2 report=${3:-} notify=${4:-}
  trap refpipe_down EXIT
  rm -rf "$state"
  mkdir -p "$state/git" "$state/registry" "$state/catalog" "$state/home" "$state/buildah"

  # Buildah on a fresh machine: a policy that accepts local images, and its own store here.
  if [[ ! -e /etc/containers/policy.json ]]; then
    mkdir -p /etc/containers
    printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' > /etc/containers/policy.json
  fi

  REFPIPE_REGISTRY=127.0.0.1:$(refpipe_free_port)
  refpipe_make_repo "$REFPIPE_ROOT/pipelines/demo/app" "$state/git/demo-app.git"
  local manifests
  manifests=$(mktemp -d)
  cp -a "$REFPIPE_ROOT/pipelines/demo/manifests/." "$manifests/"
  sed -i "s|registry.example.com/demo-app|$REFPIPE_REGISTRY/demo-app|" "$manifests"/overlays/*/kustomization.yaml
  refpipe_make_repo "$manifests" "$state/git/demo-manifests.git"
  rm -rf "$manifests"

  REFPIPE_GIT_PORT=$(refpipe_free_port)
  setsid git daemon --reuseaddr --listen=127.0.0.1 --port="$REFPIPE_GIT_PORT" \
    --base-path="$state/git" --export-all --enable=receive-pack "$state/git" \
    > "$state/git-daemon.log" 2>&1 &
  REFPIPE_PIDS+=($!)
  refpipe_wait 20 git ls-remote "git://127.0.0.1:$REFPIPE_GIT_PORT/demo-app.git" ||
    { cat "$state/git-daemon.log"; echo "git daemon did not start" >&2; return 1; }

  cat > "$state/registry.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $state/registry}
  delete: {enabled: true}
http:
  addr: $REFPIPE_REGISTRY
YAML
  refpipe_registry_start "$state" || return 1

  REFPIPE_SECRET=$(openssl rand -hex 20)
  ln -s "$REFPIPE_ROOT/pipelines/build-scan-push-deploy.yaml" "$state/catalog/"
  cat > "$state/catalog/site.yaml" <<YAML
# This installation's settings for the reference pipeline (written by scripts/lib/refpipe.sh).
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: reference-pipeline-site}
spec:
  params:
    - {name: image-repo, value: "$REFPIPE_REGISTRY/demo-app"}
    - {name: manifest-url, value: "git://127.0.0.1:$REFPIPE_GIT_PORT/demo-manifests.git"}
    - {name: tls-verify, value: "false"}
    - {name: buildah-storage, value: "$state/buildah"}
    - {name: trivy-report, value: "$report"}
    - {name: notify-url, value: "$notify"}
---
apiVersion: v1
kind: Secret
metadata: {name: reference-pipeline-webhook}
stringData:
  github: $REFPIPE_SECRET
  gitlab: $REFPIPE_SECRET
YAML
  REFPIPE_STORE=$state/home/baton.db
  cat > "$state/baton.yaml" <<YAML
apiVersion: baton.dev/v1alpha1
kind: ServeConfig
listen: 127.0.0.1:0
home: $state/home
sources:
  - directory: $REFPIPE_ROOT/tasks
  - directory: $state/catalog
limits: {taskRuns: 2, runs: 4}
reload: {interval: 0}
shutdown: {grace: 5s}
YAML
  "$baton" serve --config "$state/baton.yaml" > "$state/serve.log" 2>&1 &
  REFPIPE_PIDS+=($!)
  local port=""
  for _ in $(seq 300); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$state/serve.log")
    [[ -n $port ]] && break
    kill -0 "${REFPIPE_PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$state/serve.log"; echo "baton serve did not start" >&2; return 1; }
  REFPIPE_SERVE_URL=http://127.0.0.1:$port
}

# refpipe_github_push STATE COMMIT DELIVERY_ID: sends a signed GitHub push webhook for COMMIT on
# main; prints the JSON answer.
refpipe_github_push() {
  local state=$1 commit=$2 delivery=$3 body sig
  body=$(printf '{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"%s","deleted":false,"repository":{"name":"demo-app","full_name":"demo/demo-app","clone_url":"git://127.0.0.1:%s/demo-app.git"},"head_commit":{"id":"%s","message":"demo"},"pusher":{"name":"demo"}}' \
    "$commit" "$REFPIPE_GIT_PORT" "$commit")
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$REFPIPE_SECRET" -r | cut -d' ' -f1)
  curl -sS -X POST "$REFPIPE_SERVE_URL/hooks/reference-pipeline" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
    -H "X-GitHub-Delivery: $delivery" -H "X-Hub-Signature-256: sha256=$sig" \
    --data-binary "$body"
}

# refpipe_gitlab_push STATE COMMIT UUID: a GitLab push hook (X-Gitlab-Token) for COMMIT on main.
refpipe_gitlab_push() {
  local state=$1 commit=$2 uuid=$3 body
  body=$(printf '{"object_kind":"push","ref":"refs/heads/main","checkout_sha":"%s","after":"%s","project":{"path_with_namespace":"demo/demo-app","git_http_url":"git://127.0.0.1:%s/demo-app.git"}}' \
    "$commit" "$commit" "$REFPIPE_GIT_PORT")
  curl -sS -X POST "$REFPIPE_SERVE_URL/hooks/reference-pipeline" \
    -H 'Content-Type: application/json' -H 'X-Gitlab-Event: Push Hook' \
    -H "X-Gitlab-Token: $REFPIPE_SECRET" -H "Idempotency-Key: $uuid" --data-binary "$body"
}

# The first run id in a webhook answer.
refpipe_run_id() {
  python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["runs"][0]["id"] if a.get("runs") else "")'
}

# refpipe_status BATON RUN: the run's stored status (queued, running, succeeded, failed, ...).
refpipe_status() {
  "$1" runs --store "$REFPIPE_STORE" --limit 1000 | awk -v id="$2" '$1 == id {print $4}'
}

# refpipe_follow BATON RUN [TIMEOUT]: prints the run's log lines as they are stored, until the
# run ends; returns 0 if it succeeded.
refpipe_follow() {
  local baton=$1 run=$2 timeout=${3:-600} shown=0 status lines total
  local deadline=$((SECONDS + timeout))
  while :; do
    status=$(refpipe_status "$baton" "$run")
    lines=$("$baton" logs --store "$REFPIPE_STORE" "$run" 2>/dev/null || true)
    total=$(printf '%s' "$lines" | grep -c '' || true)
    if ((total > shown)); then
      printf '%s\n' "$lines" | tail -n +"$((shown + 1))"
      shown=$total
    fi
    case "$status" in
      succeeded) return 0 ;;
      failed | cancelled | interrupted | timeout) echo "run $run: $status"; return 1 ;;
    esac
    ((SECONDS < deadline)) || { echo "run $run: still $status after ${timeout}s"; return 1; }
    sleep 0.5
  done
}
