#!/usr/bin/env bash
# podman_step_bench.sh: per-step overhead of the host runner, the podman runner, and podman by
# hand, in one run, on the same step (`true`) and the same locally built image. Figures, not
# pass/fail.
#
#   tests/bench/podman_step_bench.sh [-n STEPS] [-r REPEATS]
#     -n STEPS    steps of the long TaskRun (default 10); per-step = (t(N) - t(1)) / (N - 1),
#                 which removes baton's own start-up and the run's fixed costs
#     -r REPEATS  runs of each measurement; the median is printed (default 3)
#   BUILD=dir selects the build tree (default: build next to this repository's sources).
#
# Rows: host runner (baton run --runner host), podman runner (baton run --runner podman),
# `podman run --rm` by hand (the floor for one container per step through the CLI),
# `podman create`+`start -a`+`rm` by hand, the REST API over the unix socket
# (create/start/wait/delete through curl against `podman system service`), and the podman
# client's own start-up (`podman image exists`).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
steps=10 repeats=3
while getopts "n:r:" opt; do
  case $opt in
    n) steps=$OPTARG ;;
    r) repeats=$OPTARG ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
baton=$build/engine/cmd/baton
[ -x "$baton" ] || { echo "build the baton target first ($baton missing)" >&2; exit 1; }
image=localhost/baton-test-base:latest
podman image exists "$image" || bash "$root/tests/runners/make_podman_base.sh" "$image" >/dev/null

work=$(mktemp -d)
sock=$work/podman.sock
service_pid=""
cleanup() {
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export BATON_HOME=$work/home NO_COLOR=1
printf '"*": %s\n' "$image" >"$work/images.yaml"

taskrun() {  # taskrun N FILE: a TaskRun of N steps running `true`
  {
    printf 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: bench}\nspec:\n'
    printf '  taskSpec:\n    steps:\n'
    for i in $(seq 1 "$1"); do printf '      - {name: s%d, image: ubuntu, command: ["true"]}\n' "$i"; done
  } >"$2"
}
taskrun 1 "$work/one.yaml"
taskrun "$steps" "$work/many.yaml"

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\\n\", $* }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_of CMD...: seconds of one run of CMD (output discarded, failure is fatal)
time_of() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  t1=$(now)
  calc "$t1 - $t0"
}
per_step_baton() {  # per_step_baton RUNNER: median over repeats of (t(N) - t(1)) / (N - 1)
  for _ in $(seq 1 "$repeats"); do
    local one many
    one=$(time_of "$baton" run -q --runner "$1" --image-map "$work/images.yaml" "$work/one.yaml")
    many=$(time_of "$baton" run -q --runner "$1" --image-map "$work/images.yaml" "$work/many.yaml")
    calc "($many - $one) / ($steps - 1)"
  done | median
}
per_step_loop() {  # per_step_loop CMD...: median over repeats of (time of `steps` runs) / steps
  for _ in $(seq 1 "$repeats"); do
    local t0 t1
    t0=$(now)
    for _ in $(seq 1 "$steps"); do "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; done
    t1=$(now)
    calc "($t1 - $t0) / $steps"
  done | median
}
create_start_rm() {
  local id
  id=$(podman --runtime runc create --pull never "$image" true)
  podman --runtime runc start -a "$id" >/dev/null
  podman --runtime runc rm -f "$id" >/dev/null
}
rest_run() {  # one container through the libpod REST API
  local id
  id=$(curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
    -d "{\"image\":\"$image\",\"command\":[\"true\"]}" http://d/v4.0.0/libpod/containers/create |
    sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
  [ -n "$id" ] || return 1
  curl -sf --unix-socket "$sock" -X POST "http://d/v4.0.0/libpod/containers/$id/start" >/dev/null
  curl -sf --unix-socket "$sock" -X POST "http://d/v4.0.0/libpod/containers/$id/wait" >/dev/null
  curl -sf --unix-socket "$sock" -X DELETE "http://d/v4.0.0/libpod/containers/$id?force=true" >/dev/null
}

podman --runtime runc system service --time=0 "unix://$sock" >/dev/null 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done

host=$(per_step_baton host)
podman_runner=$(per_step_baton podman)
by_hand=$(per_step_loop podman --runtime runc run --rm --pull never "$image" true)
create_start=$(per_step_loop create_start_rm)
rest=$(per_step_loop rest_run)
client=$(per_step_loop podman --runtime runc image exists "$image")

echo "per-step overhead, step = \`true\`, $steps steps, median of $repeats ($(nproc) cores, $(podman --version))"
printf '  %-44s %8.1f ms\n' "host runner (baton run --runner host)" "$(calc "$host * 1000")"
printf '  %-44s %8.1f ms\n' "podman runner (baton run --runner podman)" "$(calc "$podman_runner * 1000")"
printf '  %-44s %8.1f ms\n' "podman run --rm by hand" "$(calc "$by_hand * 1000")"
printf '  %-44s %8.1f ms\n' "podman create + start -a + rm by hand" "$(calc "$create_start * 1000")"
printf '  %-44s %8.1f ms\n' "REST API (create/start/wait/delete, curl)" "$(calc "$rest * 1000")"
printf '  %-44s %8.1f ms\n' "podman client start-up (image exists)" "$(calc "$client * 1000")"
