#!/usr/bin/env bash
# The main job on local defaults, from a fresh Debian 12 machine: installs dependencies, builds
# Baton, validates every shipped Task and Pipeline, then runs the reference pipeline the way a
# forge would start it: a git daemon serves the sample app and manifest repositories, the
# docker-registry package's registry takes images, `baton serve` gets a signed GitHub push
# webhook and runs clone → build → scan → image → GitOps update. Safe to run again: every run
# starts from fresh repositories and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--keep]   (--keep: leave baton serve up to browse the dashboard)" >&2; exit 2 ;;
esac
scripts/deps.sh
# Only the binary: the demo needs `baton`, not the test suite (scripts/test.sh builds that).
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target baton
baton=$PWD/build/engine/cmd/baton
state=$PWD/build/demo-refpipe

echo "== validate the shipped catalog and pipelines =="
# pipelines/demo holds the sample app and its Kubernetes manifests, not Tekton YAML.
find tasks pipelines -path pipelines/demo -prune -o -name '*.yaml' -print0 | sort -z |
  xargs -0 "$baton" validate

echo
echo "== start a git daemon, a registry and baton serve (state in $state) =="
source scripts/lib/refpipe.sh
refpipe_up "$state" "$baton"
echo "git daemon:   git://127.0.0.1:$REFPIPE_GIT_PORT/{demo-app,demo-manifests}.git"
echo "registry:     http://$REFPIPE_REGISTRY/v2/"
echo "baton serve:  $REFPIPE_SERVE_URL (config $state/baton.yaml)"

commit=$(git --git-dir "$state/git/demo-app.git" rev-parse main)
echo
echo "== signed GitHub push webhook for demo-app@${commit:0:12} =="
answer=$(refpipe_github_push "$state" "$commit" "demo-$(date +%s%N)")
echo "$answer"
run=$(printf '%s' "$answer" | refpipe_run_id)
[[ -n $run ]] || { echo "the webhook created no run"; exit 1; }

echo
echo "== run $run: live logs =="
if ! refpipe_follow "$baton" "$run" 600; then
  echo "the reference pipeline failed; serve log: $state/serve.log"
  exit 1
fi

echo
echo "== result =="
tag=$commit
digest=$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$REFPIPE_REGISTRY/v2/demo-app/manifests/$tag" | tr -d '\r' |
  sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$REFPIPE_REGISTRY/v2/demo-app/manifests/$digest"
echo "image:          $REFPIPE_REGISTRY/demo-app:$tag"
echo "                @$digest (manifest fetched back by digest)"
echo "manifest repo:  $(git --git-dir "$state/git/demo-manifests.git" log -1 --format='%h %s' main)"
echo "                $(git --git-dir "$state/git/demo-manifests.git" show main:overlays/dev/kustomization.yaml | grep newTag)"
token=$("$baton" token create --role operator --name demo --store "$REFPIPE_STORE" | tail -n 1)
echo "dashboard:      $REFPIPE_SERVE_URL/#/runs/$run  (paste the API token $token)"
echo "run store:      $baton runs --store $REFPIPE_STORE"
"$baton" runs --store "$REFPIPE_STORE" --limit 5
if ((keep)); then
  echo
  echo "== --keep: baton serve, the registry and the git daemon stay up until Ctrl-C =="
  echo "   $baton logs --server $REFPIPE_SERVE_URL --token $token $run"
  # `wait` returns as soon as a signal arrives; a foreground sleep would delay the trap.
  sleep infinity &
  sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' INT TERM
  wait "$sleeper" || true
fi
echo "(run scripts/demo.sh --keep to leave the server up and browse the dashboard)"
