#!/usr/bin/env bash
# Scheduler throughput: 1,000 `true` TaskRuns through `baton run`, beside ninja running the same
# 1,000 commands with the same parallelism, in the same invocation (so machine load hits both).
#
#   tests/bench/sched_bench.sh [BATON]      BATON defaults to build/engine/cmd/baton
#
# Environment: P (parallelism, default nproc), N (tasks, default 1000), REPS (default 3),
# KEEP=1 keeps the temp dir. Prints per-repetition wall/user/sys, medians, and a final table.
#
# Fairness choices (see tests/bench/README.md):
# - Both run exactly one `true` per task. ninja's edges run `command = true` and declare an
#   output file the command never writes: ninja does not check outputs exist after a command
#   (only `restat` would stat them), so no `touch` is added and the chain still orders on them.
#   ninja runs it through `/bin/sh -c true` (one exec, `true` is a sh builtin); baton execs
#   `true` from PATH (one exec). Either way it is one fork+exec per task.
# - Each repetition starts cold: a fresh BATON_HOME (empty SQLite store) for baton, a fresh
#   directory (no .ninja_log/.ninja_deps) for ninja. Output of both goes to /dev/null.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BATON=${1:-$ROOT/build/engine/cmd/baton}
P=${P:-$(nproc)}
N=${N:-1000}
REPS=${REPS:-3}
TARGET=1.5

[[ -x $BATON ]] || { echo "sched_bench: no baton at $BATON (cmake --build BUILD --target baton)" >&2; exit 2; }
command -v ninja >/dev/null || { echo "sched_bench: ninja missing (apt-get install ninja-build)" >&2; exit 2; }
BATON=$(cd "$(dirname "$BATON")" && pwd)/$(basename "$BATON")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sched_bench.XXXXXX")
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

# --- inputs ----------------------------------------------------------------------------------
gen_pipelinerun() {  # $1 = wide|chain
  local shape=$1 i
  {
    printf 'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: sched-%s\nspec:\n' "$shape"
    printf '  pipelineSpec:\n    tasks:\n'
    for ((i = 1; i <= N; i++)); do
      printf '      - name: t%d\n' "$i"
      if [[ $shape == chain && $i -gt 1 ]]; then printf '        runAfter: [t%d]\n' $((i - 1)); fi
      printf '        taskSpec:\n          steps: [{name: s, image: busybox, command: ["true"]}]\n'
    done
  } >"$WORK/$shape.yaml"
}

gen_ninja() {  # $1 = wide|chain
  local shape=$1 i
  mkdir -p "$WORK/ninja-$shape"
  {
    printf 'rule t\n  command = true\n\n'
    for ((i = 1; i <= N; i++)); do
      if [[ $shape == chain && $i -gt 1 ]]; then printf 'build o%d: t o%d\n' "$i" $((i - 1))
      else printf 'build o%d: t\n' "$i"; fi
    done
  } >"$WORK/ninja-$shape/build.ninja"
}

for s in wide chain; do gen_pipelinerun "$s"; gen_ninja "$s"; done

# --- timing ----------------------------------------------------------------------------------
# Runs "$@" with output discarded; sets REAL USR SYS (seconds, children included). A non-zero
# exit fails the bench: a broken run must not be reported as a fast one.
timed() {
  local tf="$WORK/time.out" rc=0
  TIMEFORMAT='%R %U %S'
  { time "$@" >"$WORK/last.log" 2>&1; } 2>"$tf" || rc=$?
  if ((rc != 0)); then
    echo "sched_bench: '$*' exited $rc; last output:" >&2
    tail -20 "$WORK/last.log" >&2
    exit 1
  fi
  read -r REAL USR SYS <"$tf"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

run_baton() {  # $1 shape, $2 rep
  local home="$WORK/home-$1-$2"
  mkdir -p "$home"
  BATON_HOME=$home timed "$BATON" run --parallel "$P" --quiet "$WORK/$1.yaml"
  # Exit 0 alone would not prove N TaskRuns ran; the summary line says how many completed.
  grep -q "Tasks Completed: $N (Failed: 0, Cancelled 0), Skipped: 0" "$WORK/last.log" ||
    { echo "sched_bench: baton did not complete $N tasks:" >&2; tail -3 "$WORK/last.log" >&2; exit 1; }
}

run_ninja() {  # $1 shape, $2 rep
  local dir="$WORK/nj-$1-$2"
  cp -r "$WORK/ninja-$1" "$dir"
  timed ninja -C "$dir" -j "$P"
  # ninja must really have run N commands, not found them up to date.
  local ran
  ran=$(grep -c '^[0-9]' "$dir/.ninja_log" || true)
  [[ $ran == "$N" ]] || { echo "sched_bench: ninja ran $ran commands, expected $N" >&2; exit 1; }
}

run_loop() {
  timed bash -c "for i in \$(seq $N); do /bin/true; done"
}

echo "sched_bench: N=$N P=$P REPS=$REPS baton=$BATON ninja=$(ninja --version) $(date -u +%FT%TZ)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  cores: $(nproc)"
printf '%-6s %-6s %-4s %8s %8s %8s\n' shape tool rep wall_s user_s sys_s

# Wall time is the figure the target is about; CPU (user+sys, children included) is printed too
# because on a loaded machine it is the steadier of the two.
declare -A MED CPU
measure() {  # $1 label shape, $2 tool, $3 function
  local shape=$1 tool=$2 fn=$3 r walls=() cpus=()
  for ((r = 1; r <= REPS; r++)); do
    "$fn" "$shape" "$r"
    printf '%-6s %-6s %-4d %8.3f %8.3f %8.3f\n' "$shape" "$tool" "$r" "$REAL" "$USR" "$SYS"
    walls+=("$REAL")
    cpus+=("$(awk -v u="$USR" -v s="$SYS" 'BEGIN { print u + s }')")
  done
  MED[$shape.$tool]=$(median "${walls[@]}")
  CPU[$shape.$tool]=$(median "${cpus[@]}")
}

# Interleave tools per shape so a load spike from other jobs is less likely to hit only one.
for shape in wide chain; do
  measure "$shape" ninja run_ninja
  measure "$shape" baton run_baton
done
measure loop bash run_loop

echo
printf 'sequential fork/exec loop (%d x /bin/true in bash): %.3f s wall, %.3f s cpu (medians)\n' \
  "$N" "${MED[loop.bash]}" "${CPU[loop.bash]}"
echo
ratio_of() { awk -v b="$1" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? b / n : 0) }'; }
printf '%-6s | %8s | %8s | %7s | %-16s | %11s | %11s | %9s\n' shape "ninja s" "baton s" ratio target \
  "ninja cpu s" "baton cpu s" "cpu ratio"
for shape in wide chain; do
  n=${MED[$shape.ninja]} b=${MED[$shape.baton]}
  ratio=$(ratio_of "$b" "$n")
  cpu_ratio=$(ratio_of "${CPU[$shape.baton]}" "${CPU[$shape.ninja]}")
  if [[ $shape == wide ]]; then
    verdict=$(awk -v r="$ratio" -v t="$TARGET" 'BEGIN { print (r <= t ? "<= 1.5x: met" : "<= 1.5x: MISSED") }')
  else
    verdict="(none)"
  fi
  printf '%-6s | %8.3f | %8.3f | %6sx | %-16s | %11.3f | %11.3f | %8sx\n' "$shape" "$n" "$b" "$ratio" \
    "$verdict" "${CPU[$shape.ninja]}" "${CPU[$shape.baton]}" "$cpu_ratio"
done
