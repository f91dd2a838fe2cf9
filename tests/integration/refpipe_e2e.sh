#!/usr/bin/env bash
# The reference pipeline end to end, with real parts: a signed GitHub push webhook to `baton
# serve` → git-clone (libgit2) from a real git daemon → CMake build + ctest → trivy-scan →
# buildah image pushed to the docker-registry package's registry (the manifest is fetched back
# by digest) → gitops-update commits the new tag to the manifest repository on the git daemon
# → finally notify POSTs to a local receiver.
#
# Trivy is not installable here, so the scan step summarises a real Trivy report from the
# corpus (trivy-scan's `report` param): debian-stretch.json, MEDIUM=4 LOW=1, under the HIGH
# threshold. The "skipped: scanner not installed" path is what scripts/demo.sh shows.
#
# Then: a redelivery of the same webhook is deduplicated (same run, nothing new); two pushes in
# a row run one after the other (concurrency group repo-branch, FIFO) and the last one's tag
# wins; a GitLab push of the deployed commit runs with a no-op GitOps step; a commit that breaks the unit test fails the run at `build`, nothing after it runs, and
# the notification names the failed task; with the registry down a run fails at `image`, and
# `baton retry --failed` after it is back reuses clone/build/scan and deploys.
#   usage: refpipe_e2e.sh BATON_BINARY CORPUS_DIR
set -euo pipefail
baton=$1
corpus=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in git buildah docker-registry openssl curl python3 cmake; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)"; exit 1; }
done
source "$root/scripts/lib/refpipe.sh"
state=$(mktemp -d)
failures=0
check() {  # check DESCRIPTION CMD...
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}

# The notification receiver: appends each POSTed body as one line.
notify_port=$(refpipe_free_port)
cat > "$state/receiver.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
world=$state/world
refpipe_up "$world" "$baton" "$corpus/trivy-reports/debian-stretch.json" \
  "http://127.0.0.1:$notify_port/notify"
python3 "$state/receiver.py" "$notify_port" "$state/notify.jsonl" &
REFPIPE_PIDS+=($!)
trap 'refpipe_down; rm -rf "$state"' EXIT
refpipe_wait 20 curl -s -o /dev/null "http://127.0.0.1:$notify_port/"

manifest_tag() {
  git --git-dir "$world/git/demo-manifests.git" show main:overlays/dev/kustomization.yaml |
    sed -n 's/.*newTag: "\{0,1\}\([0-9a-f]*\).*/\1/p'
}
runs_count() { "$baton" runs --store "$REFPIPE_STORE" --limit 1000 | grep -c '^run-' || true; }

# 1. The happy path.
c1=$(git --git-dir "$world/git/demo-app.git" rev-parse main)
answer=$(refpipe_github_push "$world" "$c1" delivery-1)
run1=$(printf '%s' "$answer" | refpipe_run_id)
check "signed webhook accepted with one run" test -n "$run1"
refpipe_follow "$baton" "$run1" 300 > "$state/run1.log" || { cat "$state/run1.log"; exit 1; }
echo "ok: run 1 succeeded"
check "scan step parsed the real report" grep -q 'CRITICAL=0 HIGH=0 MEDIUM=4 LOW=1 UNKNOWN=0' "$state/run1.log"
check "ctest ran the sample's 2 tests" grep -q '100% tests passed, 0 tests failed out of 2' "$state/run1.log"
pushed=$(sed -n 's/.*pushed .*@\(sha256:[0-9a-f]*\).*/\1/p' "$state/run1.log" | head -n1)
accept='Accept: application/vnd.oci.image.manifest.v1+json'
registry_digest=$(curl -sfI -H "$accept" "http://$REFPIPE_REGISTRY/v2/demo-app/manifests/$c1" |
  tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
check "registry has tag $c1 with the pushed digest" test -n "$pushed" -a "$registry_digest" = "$pushed"
curl -sf -H "$accept" "http://$REFPIPE_REGISTRY/v2/demo-app/manifests/$pushed" > "$state/manifest.json"
check "manifest fetched back by digest is an OCI image manifest" \
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["schemaVersion"]==2 and m["layers"]' "$state/manifest.json"
check "manifest repo: dev overlay has the new tag" test "$(manifest_tag)" = "$c1"
check "manifest repo: commit message names the source commit" \
  grep -q "Source commit: .*$c1" <(git --git-dir "$world/git/demo-manifests.git" log -1 --format=%B main)
check "notify POSTed Succeeded" grep -q '"status":"Succeeded"' "$state/notify.jsonl"

# 2. A redelivery (same X-GitHub-Delivery) returns the same run and creates nothing.
before=$(runs_count)
again=$(refpipe_github_push "$world" "$c1" delivery-1)
check "redelivery is marked duplicate" grep -q '"duplicate":true' <<<"$again"
check "redelivery answers the original run" test "$(printf '%s' "$again" | refpipe_run_id)" = "$run1"
check "redelivery created no run" test "$(runs_count)" = "$before"

# 3. Two pushes in a row: one concurrency group (demo/demo-app-refs/heads/main), FIFO.
c2=$(refpipe_commit_app "$world" "second")
c3=$(refpipe_commit_app "$world" "third")
run2=$(refpipe_github_push "$world" "$c2" delivery-2 | refpipe_run_id)
run3=$(refpipe_github_push "$world" "$c3" delivery-3 | refpipe_run_id)
overlap=0 held=0
deadline=$((SECONDS + 300))
while :; do
  s2=$(refpipe_status "$baton" "$run2") s3=$(refpipe_status "$baton" "$run3")
  [[ $s2 == running && $s3 == running ]] && overlap=1
  [[ $s2 == running && $s3 == queued ]] && held=1
  [[ $s3 == succeeded || $s3 == failed ]] && break
  ((SECONDS < deadline)) || break
  sleep 0.1
done
check "the second push's run waited while the first ran" test "$held" = 1 -a "$overlap" = 0
check "both runs succeeded" test "$(refpipe_status "$baton" "$run2")/$(refpipe_status "$baton" "$run3")" = succeeded/succeeded
check "the last push's tag is the one deployed" test "$(manifest_tag)" = "$c3"

# 3b. The same commit again, from GitLab: the run succeeds and the GitOps step is a no-op.
deployed=$(git --git-dir "$world/git/demo-manifests.git" rev-parse main)
answer=$(refpipe_gitlab_push "$world" "$c3" gitlab-1)
check "GitLab push fired the gitlab-push trigger" grep -q '"name":"gitlab-push","status":"fired"' <<<"$answer"
run_gl=$(printf '%s' "$answer" | refpipe_run_id)
refpipe_follow "$baton" "$run_gl" 300 > "$state/run_gl.log" || { cat "$state/run_gl.log"; failures=$((failures + 1)); }
check "gitops-update was a no-op (value already set)" grep -q 'no change: '"$c3"' already set' "$state/run_gl.log"
check "no-op pushed nothing" test "$(git --git-dir "$world/git/demo-manifests.git" rev-parse main)" = "$deployed"

# 4. A build that fails: the unit test breaks.
deployed=$(git --git-dir "$world/git/demo-manifests.git" rev-parse main)
c4=$(refpipe_commit_app "$world" "break the greeting" src/greeting.cc \
  '#include "greeting.h"
std::string greeting(const std::string& who) { return "bye, " + who; }
')
run4=$(refpipe_github_push "$world" "$c4" delivery-4 | refpipe_run_id)
if refpipe_follow "$baton" "$run4" 300 > "$state/run4.log"; then
  echo "FAIL: the broken build succeeded"; failures=$((failures + 1))
else
  echo "ok: run 4 failed"
fi
check "the failure is at build (ctest)" grep -q 'tests failed out of 2' "$state/run4.log"
check "nothing after build ran" bash -c "! grep -q '^\[\(scan\|image\|deploy\):' '$state/run4.log'"
check "manifest repo untouched" test "$(git --git-dir "$world/git/demo-manifests.git" rev-parse main)" = "$deployed"
check "finally notify carried the failure" \
  grep -q '"status":"Failed","failed":"build"' <(tail -n1 "$state/notify.jsonl")

# 5. Retry failed after an outage: the registry is down, so a push of the fixed code fails at
# `image`; once it is back, `baton retry --failed` reuses clone, build and scan (their results
# and the workspace they left: the built binary) and runs only image and deploy.
check "registry stopped" refpipe_registry_stop
c5=$(refpipe_commit_app "$world" "fix the greeting" src/greeting.cc \
  "$(git --git-dir "$world/git/demo-app.git" show "$c3:src/greeting.cc")")
run5=$(refpipe_github_push "$world" "$c5" delivery-5 | refpipe_run_id)
refpipe_follow "$baton" "$run5" 300 > "$state/run5.log" || true
check "run 5 failed at image (registry down)" \
  test "$(refpipe_status "$baton" "$run5")" = failed
check "run 5 built before failing" grep -q 'tests passed, 0 tests failed out of 2' "$state/run5.log"
check "registry back on the same port" refpipe_registry_start "$world"
token=$("$baton" token create --role operator --name e2e --store "$REFPIPE_STORE" 2>/dev/null)
run6=$("$baton" retry --server "$REFPIPE_SERVE_URL" --token "$token" --failed "$run5")
check "retry created a new run" test -n "$run6" -a "$run6" != "$run5"
refpipe_follow "$baton" "$run6" 300 > "$state/run6.log" ||
  { cat "$state/run6.log"; failures=$((failures + 1)); }
check "the retry succeeded" test "$(refpipe_status "$baton" "$run6")" = succeeded
check "the retry did not clone, build or scan again" \
  bash -c "! grep -q '^\[\(clone\|build\|scan\):' '$state/run6.log'"
check "the retry pushed the image built by run 5" grep -q "^\[image:" "$state/run6.log"
check "the fixed commit is deployed" test "$(manifest_tag)" = "$c5"
detail=$(curl -sf -H "Authorization: Bearer $token" "$REFPIPE_SERVE_URL/api/v1/runs/$run6")
check "the API shows clone, build, scan reused and the link to run 5" python3 -c '
import json, sys
d = json.load(sys.stdin)
state = {t["name"]: t["state"] for t in d["tasks"]}
ok = d["retry_of"] == sys.argv[1] and all(state[t] == "reused" for t in ("clone", "build", "scan"))
ok = ok and state["image"] == "succeeded" and state["deploy"] == "succeeded"
sys.exit(0 if ok else print(state, d["retry_of"]) or 1)' "$run5" <<<"$detail"

if ((failures)); then
  echo "refpipe e2e: $failures check(s) failed; serve log:"
  tail -n 30 "$world/serve.log"
  exit 1
fi
echo "refpipe e2e: all checks passed"
