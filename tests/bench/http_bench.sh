#!/usr/bin/env bash
# http_bench.sh: wrk against a minimal Beast server (the baseline) and against Baton's HTTP
# server, same duration, connections and request, in one run; prints requests/s, p50, p99 and
# non-2xx counts side by side. Figures, not pass/fail.
#
#   tests/bench/http_bench.sh [options] [URL]
#     URL         benchmark this URL (e.g. a running `baton serve` webhook route) instead of the
#                 built-in http_baton_server (trivial handler); the path is reused on the bare one
#     -d SECS     duration per run (default 10)
#     -c CONNS    open connections (default 50)
#     -t THREADS  wrk threads (default 2)
#     -s THREADS  server I/O threads of the built-in servers (default 2)
#     -b FILE     POST this file as the body (default: GET)
#     -H 'N: V'   extra request header, repeatable (e.g. X-Hub-Signature-256, X-GitHub-Event)
#     -u NAME     header made unique per request (e.g. X-GitHub-Delivery, so no delivery is a
#                 duplicate); costs wrk a Lua call per request, on both sides alike
#     -r RATE     pace requests at about RATE/s in total (wrk 4.1 has no constant-rate mode:
#                 each wrk thread's delay() hook waits for its next slot of a fixed schedule, so
#                 with enough connections the load is open-loop RATE/s whatever the latency)
#   BUILD=dir selects the build tree (default: build next to this repository's sources).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
duration=10 conns=50 wrk_threads=2 server_threads=2 body_file="" unique="" url="" rate=""
headers=()
while getopts "d:c:t:s:b:H:u:r:" opt; do
  case $opt in
    d) duration=$OPTARG ;;
    c) conns=$OPTARG ;;
    t) wrk_threads=$OPTARG ;;
    s) server_threads=$OPTARG ;;
    b) body_file=$(realpath "$OPTARG") ;;
    H) headers+=("$OPTARG") ;;
    u) unique=$OPTARG ;;
    r) rate=$OPTARG ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
url=${1:-}
command -v wrk >/dev/null || { echo "http_bench: wrk not found (scripts/deps.sh installs it)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_server NAME BINARY: starts it on port 0 and echoes the port it printed.
start_server() {
  local name=$1 bin=$2
  [ -x "$bin" ] || { echo "http_bench: $bin not built (cmake --build $build --target $name)" >&2; exit 1; }
  "$bin" 0 "$server_threads" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    if grep -q '^port=' "$tmp/$name.out" 2>/dev/null; then
      sed -n 's/^port=//p' "$tmp/$name.out"
      return
    fi
    sleep 0.05
  done
  echo "http_bench: $name did not start: $(cat "$tmp/$name.err")" >&2
  exit 1
}

# The request: method, body and headers come from the environment of the Lua script.
cat >"$tmp/request.lua" <<'LUA'
local body_file = os.getenv("BENCH_BODY_FILE") or ""
if body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
local unique = os.getenv("BENCH_UNIQUE_HEADER") or ""
-- Each wrk thread has its own Lua state with the same random seed, so a random tag would repeat
-- across threads (and turn half the deliveries into redeliveries): setup() numbers the threads.
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_tag", tostring(threads_made) .. "-" .. tostring(os.time()))
end
if unique ~= "" then
  local counter = 0
  function request()
    counter = counter + 1
    wrk.headers[unique] = "bench-" .. (thread_tag or "0") .. "-" .. counter
    return wrk.format()
  end
end
LUA
if [ -n "$rate" ]; then
  cat >>"$tmp/request.lua" <<'LUA'
-- Fixed-rate pacing: this thread's requests go out on a schedule of RATE/threads per second;
-- delay() (called before each request) waits for the next slot. LuaJIT's ffi gives a clock.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec* ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval = 1000 * tonumber(os.getenv("BENCH_THREADS")) / tonumber(os.getenv("BENCH_RATE"))
local next_slot = nil
function delay()
  local t = now_ms()
  -- After a stall longer than a second the schedule restarts instead of bursting to catch up.
  if not next_slot or next_slot < t - 1000 then next_slot = t end
  local wait = next_slot - t
  next_slot = next_slot + interval
  return wait > 0 and wait or 0
end
LUA
fi

export BENCH_BODY_FILE=$body_file BENCH_UNIQUE_HEADER=$unique BENCH_RATE=$rate BENCH_THREADS=$wrk_threads
BENCH_HEADERS=$(printf '%s\n' "${headers[@]+"${headers[@]}"}")
export BENCH_HEADERS

bare_port=$(start_server http_bare_server "$build/tests/bench/http_bare_server")
if [ -z "$url" ]; then
  baton_port=$(start_server http_baton_server "$build/tests/bench/http_baton_server")
  url="http://127.0.0.1:$baton_port/hook"
fi
path="/${url#*://*/}"
[ "$path" = "/$url" ] && path=/
bare_url="http://127.0.0.1:$bare_port$path"

# run LABEL URL: one wrk run; prints a table row.
run() {
  local label=$1 target=$2 out="$tmp/$1.wrk"
  wrk -t "$wrk_threads" -c "$conns" -d "${duration}s" --latency -s "$tmp/request.lua" "$target" >"$out"
  local rps p50 p99 non2xx errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  errors=$(awk '/Socket errors:/ {sub(/.*Socket errors: /, ""); print}' "$out")
  printf '%-12s %12s %10s %10s %9s  %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}" "${errors:-none}"
  echo "$rps" >"$tmp/$label.rps"
}

request="GET"
[ -n "$body_file" ] && request="POST of $(stat -c %s "$body_file") bytes"
echo "wrk -t $wrk_threads -c $conns -d ${duration}s, $request, ${#headers[@]} extra headers, built-in server threads $server_threads${rate:+, paced at $rate requests/s}"
printf '%-12s %12s %10s %10s %9s  %s\n' side "requests/s" p50 p99 non-2xx "socket errors"
run bare "$bare_url"
run baton "$url"
awk -v b="$(cat "$tmp/bare.rps")" -v s="$(cat "$tmp/baton.rps")" \
  'BEGIN { if (b > 0) printf "baton/bare throughput: %.0f%%\n", 100 * s / b }'
