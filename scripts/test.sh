#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs dependencies, builds, runs
# every CTest test, then the same suite under ASan+UBSan, then a short libFuzzer run of the
# loader. Exit status is non-zero if anything failed. `.ci/run` calls exactly this.
#   BATON_SKIP_ASAN=1 / BATON_SKIP_FUZZ=1   skip those stages (local iteration only)
#   BATON_FUZZ_SECONDS=N                    fuzz time (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

echo "== format (clang-format, .clang-format) =="
git ls-files -z '*.cc' '*.h' | xargs -0 clang-format --dry-run -Werror
echo "formatted"

echo "== build (RelWithDebInfo, no debug info: the suite's time is mostly compiling) =="
cmake --preset default -DBATON_DEBUG_INFO=none >/dev/null
scripts/build.sh default
echo "== tests =="
ctest --preset default -j "$(nproc)"

if [ "${BATON_SKIP_ASAN:-0}" != 1 ]; then
  echo "== build (ASan+UBSan, line tables for the reports) =="
  cmake --preset asan -DBATON_DEBUG_INFO=lines >/dev/null
  scripts/build.sh asan
  echo "== tests under ASan+UBSan =="
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    ctest --preset asan -j "$(nproc)" -LE slow
fi

if [ "${BATON_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz the loader for ${BATON_FUZZ_SECONDS:-30}s =="
  # Only the fuzz target: the rest of the tree is covered by the two builds above.
  cmake --preset fuzz >/dev/null
  cmake --build build-fuzz -j "$(nproc)" --target loader_fuzz
  mkdir -p build-fuzz/corpus
  rc=0
  build-fuzz/tests/fuzz/loader_fuzz -max_total_time="${BATON_FUZZ_SECONDS:-30}" -max_len=65536 \
    -rss_limit_mb=512 -timeout=5 -print_final_stats=1 \
    build-fuzz/corpus tests/fuzz/seeds ../shared/corpus/tekton-examples/examples/v1/taskruns \
    > build-fuzz/fuzz.log 2>&1 || rc=$?
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" build-fuzz/fuzz.log || true
  if [ "$rc" -ne 0 ]; then
    tail -n 60 build-fuzz/fuzz.log
    echo "fuzzing found a problem (exit $rc); reproducer saved in the working directory"
    exit 1
  fi
fi
echo "== all tests passed =="
