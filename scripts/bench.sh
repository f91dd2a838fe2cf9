#!/usr/bin/env bash
# Builds and runs every benchmark; each prints its figures beside a baseline measured in the
# same run. Not part of the test suite (figures are not pass/fail). See tests/bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh default
b=build/tests/bench
echo "== loader =="; $b/load_bench
[ -x $b/dag_bench ] && { echo "== dag =="; $b/dag_bench; }
echo "== host runner step overhead =="; $b/step_overhead_bench
echo "== store log append =="; $b/store_bench
echo "== secret masking =="; $b/mask_bench
if [ -x tests/bench/sched_bench.sh ]; then echo "== scheduler vs ninja =="; tests/bench/sched_bench.sh; fi
echo "== HTTP server core vs bare Beast =="; tests/bench/http_bench.sh
echo "== signed webhook deliveries through baton serve vs bare Beast =="; tests/bench/webhook_bench.sh
