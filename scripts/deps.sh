#!/usr/bin/env bash
# Installs the Debian 12 packages Baton needs to build, test and run. Idempotent: when every
# package is already installed it does nothing (no apt-get update, no network).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev git
  # libraries
  libyaml-dev libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev libboost-dev libboost-system-dev
  libgit2-dev libspdlog-dev libssl-dev prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-yaml python3-jsonschema sqlite3 wrk prometheus curl openssl
  # host runner: scripts written for bash/busybox images run under bash
  bash coreutils util-linux
  # reference pipeline (demo.sh, its e2e test): images, a local registry, a git server
  buildah runc docker-registry
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
