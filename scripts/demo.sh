#!/usr/bin/env bash
# The main job on local defaults, from a fresh Debian 12 machine: installs dependencies,
# builds Baton, validates every shipped Task and Pipeline, then runs the example pipeline on
# the host runner with live logs, and lists the run store. Safe to run again.
#
# (The full reference pipeline — git clone, build, Trivy scan, image build and push, GitOps
# update, triggered by a signed webhook — replaces the example run once `baton serve` and the
# container runners land; see README "Status".)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh default
baton=build/engine/cmd/baton
export BATON_HOME="${BATON_HOME:-$PWD/build/demo-home}"

echo "== validate the shipped catalog and pipelines =="
find tasks pipelines -name '*.yaml' -print0 | sort -z | xargs -0 "$baton" validate

echo
echo "== run pipelines/examples/hello-pipeline.yaml =="
"$baton" run pipelines/examples/hello-pipeline.yaml

echo
echo "== the run store ($BATON_HOME/baton.db) =="
"$baton" runs --limit 5
