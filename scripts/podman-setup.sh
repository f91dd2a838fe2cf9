#!/usr/bin/env bash
# Configures podman for this kind of machine (Debian 12, no Docker engine): containers.conf
# gets `default_ulimits = []` (podman's default nofile/nproc limits cannot be set here: "error
# setting rlimit type 7: operation not permitted") and the runc runtime (crun refuses this
# kernel's cgroup layout). Idempotent; keeps whatever else the file holds. Run as root for
# /etc/containers/containers.conf, or as a user for ~/.config/containers/containers.conf.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
  conf=${CONTAINERS_CONF_FILE:-/etc/containers/containers.conf}
else
  conf=${CONTAINERS_CONF_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/containers/containers.conf}
fi
mkdir -p "$(dirname "$conf")"
[ -f "$conf" ] || : >"$conf"

# set_key SECTION KEY VALUE: replaces an uncommented `KEY = ...` inside [SECTION], or adds it
# right after the section header (adding the header at the end when missing).
set_key() {
  local section=$1 key=$2 value=$3 tmp
  tmp=$(mktemp)
  awk -v section="[$section]" -v key="$key" -v value="$value" '
    function emit() { print key " = " value; done = 1 }
    /^[[:space:]]*\[/ {
      if (in_section && !done) emit()
      in_section = ($0 ~ "^[[:space:]]*\\[" section_name "\\][[:space:]]*$")
      print; if (in_section) seen = 1; next
    }
    in_section && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" { if (!done) emit(); next }
    { print }
    END {
      if (in_section && !done) emit()
      else if (!seen) { print ""; print section; emit() }
    }' section_name="$section" "$conf" >"$tmp"
  cat "$tmp" >"$conf"
  rm -f "$tmp"
}

set_key containers default_ulimits '[]'
set_key engine runtime '"runc"'
echo "podman-setup: $conf has default_ulimits = [] and runtime = \"runc\""
