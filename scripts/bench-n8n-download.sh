#!/usr/bin/env bash
# npm run bench:download — Sora Task Status and n8n's own OpenAI video node download the same generated 1 GiB (and
# our node a 4 GiB) file from the Sora simulator inside one real n8n 2.41.1; prints peak RSS growth and throughput
# of both side by side, and the floor: the same bytes through Node alone, without n8n (scripts/download-floor.mjs)
# (scripts/bench-n8n-download.mts does the measuring). Options are passed on to it:
#   bash scripts/bench-n8n-download.sh [--big-mib 1024] [--huge-mib 4096] [--rounds 2]
# Needs dist/ (npm run build) and installs n8n on first use (e2e/setup-n8n.sh). Every process it starts is stopped
# by PID on exit; its n8n folder is a throwaway temp dir.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"

bash "$ROOT/e2e/setup-n8n.sh" || { echo "bench: could not install n8n"; exit 1; }
[ -f "$ROOT/dist/nodes/SoraTaskStatus/SoraTaskStatus.node.js" ] || { echo "bench: dist/ missing: run npm run build"; exit 1; }

STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-bench-n8n.XXXXXX")
cleanup_state() { cleanup; rm -rf "$STATE"; }
trap cleanup_state EXIT
n8n_env "$STATE"
install_package "$STATE" || { echo "bench: npm pack / install of the package failed"; exit 1; }
start_simulator "$STATE"
TSX=("$SYSTEM_NODE" "$ROOT/node_modules/.bin/tsx" "$HERE/bench-n8n-download.mts")

ids=$("${TSX[@]}" prepare "$STATE" "$SIM_URL" "$SIM_KEY") || { echo "bench: prepare failed"; exit 1; }
n8n import:credentials --input="$STATE/credentials.json" > "$STATE/import.log" 2>&1 \
  && n8n import:workflow --separate --input="$STATE/workflows" >> "$STATE/import.log" 2>&1 \
  || { echo "bench: import failed"; tail -20 "$STATE/import.log"; exit 1; }
for id in $ids; do n8n publish:workflow --id="$id" >> "$STATE/import.log" 2>&1 || { echo "bench: publish $id failed"; tail -5 "$STATE/import.log"; exit 1; }; done

# First the way issue 13 measured: each run a fresh `n8n execute` process (no server running yet: they share ports)
[ "${BENCH_SKIP_CLI:-0}" = 1 ] || "${TSX[@]}" measure-cli "$N8N_USER_FOLDER/.n8n" || { echo "bench: n8n execute runs failed"; exit 1; }

export N8N_PORT; N8N_PORT=$(free_port)
export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_SECURE_COOKIE=false N8N_LOG_LEVEL=warn
# Only the runs' own files go to disk; the executions themselves need not pile up in the database.
export EXECUTIONS_DATA_SAVE_ON_SUCCESS=none
n8n start > "$STATE/n8n.log" 2>&1 &
N8N_PID=$!; PIDS+=("$N8N_PID")
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N8N_PORT/healthz/readiness")" = 200 ] && break
  kill -0 "$N8N_PID" 2>/dev/null || { echo "bench: n8n did not start"; tail -20 "$STATE/n8n.log"; exit 1; }
  sleep 0.3
done
# n8n's own process must be the one measured, not a wrapper around it.
grep -q "n8n" "/proc/$N8N_PID/cmdline" || { echo "bench: PID $N8N_PID is not n8n"; exit 1; }

"${TSX[@]}" measure "http://127.0.0.1:$N8N_PORT" "$N8N_PID" "$SIM_URL" "$SIM_CDN" "$N8N_USER_FOLDER/.n8n" "$@"
rc=$?
[ $rc -eq 0 ] || tail -30 "$STATE/n8n.log"
exit $rc
