#!/usr/bin/env bash
# Runs the dashboard end-to-end test (dashboard_e2e.mjs) in headless Chromium.
#   usage: run_e2e.sh BATON_BINARY BUILD_DIR
# playwright-core comes from the npm registry at the version pinned by package-lock.json, into
# a cache dir ($BATON_E2E_CACHE, default BUILD_DIR/e2e-node) reused while the lock is unchanged.
# Chromium is Debian's (/usr/bin/chromium, scripts/deps.sh); no browser is downloaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
baton=$1
build=$2
chromium=${CHROMIUM:-/usr/bin/chromium}
command -v node >/dev/null || { echo "e2e: node is not installed"; exit 1; }
# playwright-core 1.65 needs Node.js 20 (the machine image's); Debian 12's own nodejs is 18.
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || { echo "e2e: Node.js $(node --version) is too old; playwright-core needs >= 20"; exit 1; }
[[ -x $chromium ]] || { echo "e2e: $chromium is missing (scripts/deps.sh installs chromium)"; exit 1; }
cache=${BATON_E2E_CACHE:-$build/e2e-node}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)  # absolute: node resolves the module path below, not the shell
baton=$(cd "$(dirname "$baton")" && pwd)/$(basename "$baton")
if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" ||
  [[ ! -f $cache/node_modules/playwright-core/package.json ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
export BATON=$baton CHROMIUM=$chromium E2E_NODE_MODULES=$cache/node_modules
export E2E_SCREENSHOTS=${E2E_SCREENSHOTS:-$build/e2e-screenshots}
exec node "$here/dashboard_e2e.mjs"
