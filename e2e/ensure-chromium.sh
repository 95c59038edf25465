#!/usr/bin/env bash
# Playwright's own browser download cannot work offline: use Debian's Chromium.
# Set CHROMIUM_PATH to use another browser binary instead.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then echo "CHROMIUM_PATH=$CHROMIUM_PATH is not executable" >&2; exit 1; fi
echo "Chromium not found: installing Debian's chromium package…"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
test -x /usr/bin/chromium
