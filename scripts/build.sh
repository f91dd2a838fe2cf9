#!/usr/bin/env bash
# Configures and builds Baton with a CMake preset (default: RelWithDebInfo in build/).
#   scripts/build.sh [preset]     presets: default, asan, fuzz (see CMakePresets.json)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
# A preset does not reset cache entries it does not name (scripts/test.sh sets BATON_DEBUG_INFO).
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
