#!/usr/bin/env bash
# n8n 2.41.1 in queue mode (PostgreSQL, Redis, main + 2 workers at --concurrency=5) with the packed package, against
# the Sora simulator with toapis' default rate limits (5 submits/s, burst 50). `npm run demo:queue` runs it in full:
#   scale    QUEUE_RUNS (20) webhook-triggered executions x QUEUE_ITEMS (10) Sora Generate items (wait + download)
#   loop     the long-job loop (Generate → Wait QUEUE_WAIT_SECONDS (70) → Task Status) leaves the worker while it
#            waits, and resumes on the surviving worker after the worker that ran it is killed (SIGKILL)
#   kill     a worker killed (SIGKILL) during Sora Generate's in-node wait: what n8n does, where the task id is
#   binary   a 400 MiB video into the database binary store (worker peak RSS), and one above the configured cap
# QUEUE_CASES picks some (default: all); `npm test` runs "scale" at 4 x 5 and "cap". Prints PASS/FAIL lines and
# "N passed, N failed" last; exit 1 on any failure. Logs stay in the printed state folder.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
# shellcheck source=e2e/queue/lib.sh
. "$HERE/lib.sh"

RUNS=${QUEUE_RUNS:-20}; ITEMS=${QUEUE_ITEMS:-10}; WAIT_SECONDS=${QUEUE_WAIT_SECONDS:-70}
CASES=${QUEUE_CASES:-scale,loop,kill,binary}
has_case() { [[ ",$CASES," == *",$1,"* ]]; }
pass=0; fail=0
ok()  { echo "PASS: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
finish() { echo "queue-mode wall time: $(( $(date +%s) - t_start )) s; logs: $STATE"; echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
t_start=$(date +%s)

bash "$ROOT/e2e/setup-n8n.sh" > /dev/null || { bad "could not install n8n"; finish; }
[ -f "$ROOT/dist/nodes/SoraGenerate/SoraGenerate.node.js" ] || { bad "dist/ missing: run npm run build"; finish; }
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-queue.XXXXXX")
echo "state: $STATE"

start_simulator "$STATE" --rate-limit 5,50,50,500
mkdir -p "$STATE/workflows"
cat > "$STATE/credentials.json" <<JSON
[{"id":"soraQueueCred001","name":"Sora (toapis)","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY"}}]
JSON
wf() { sed -e "s#__WF_ID__#$2#" -e "s#__CRED_ID__#soraQueueCred001#" -e "s#__POLL__#${3:-1}#" "$HERE/workflows/$1.template.json" > "$STATE/workflows/$2.json"; }
wf ping soraQueuePing001
wf batch soraQueueBatch01
t_up=$(date +%s)
queue_up "$STATE" 2 "$STATE/credentials.json" "$STATE/workflows" || { bad "queue mode did not come up"; finish; }
wait_webhook "$MAIN_URL/webhook/sora-queue-ping" || { bad "main never registered the published webhooks"; tail -20 "$STATE/main.log"; finish; }
ok "queue mode up in $(( $(date +%s) - t_up )) s: PostgreSQL $(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc 'SHOW server_version' postgres | cut -d' ' -f1), Redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), n8n main + 2 workers (--concurrency=5), package installed in 3 user folders"

batch_run() { # label runs items [extra args]
  local label=$1 runs=$2 items=$3; shift 3
  "$SYSTEM_NODE" "$ROOT/node_modules/.bin/tsx" "$HERE/batch-run.mts" --n8n "$MAIN_URL" --sim "$SIM_URL" --cdn "$SIM_CDN" \
    --runs "$runs" --items "$items" --label "$label" --psql-port "$PG_PORT" \
    --pids "main:$MAIN_PID,w1:${WORKER_PIDS[0]},w2:${WORKER_PIDS[1]}" --worker-logs "w1:${WORKER_LOGS[0]},w2:${WORKER_LOGS[1]}" "$@"
}
count_lines() { # prefix each PASS/FAIL line of a sub-run with a label and count it
  while IFS= read -r line; do
    case "$line" in PASS:*) ok "$1: ${line#PASS: }";; FAIL:*) bad "$1: ${line#FAIL: }";; figures:*) echo "$1 $line";; esac
  done
}

if has_case scale; then
  echo "--- scale: $RUNS executions x $ITEMS items through the queue"
  batch_run "scale" "$RUNS" "$ITEMS" --min-ms 2000 --max-ms 4000 --json "$STATE/scale.json" > "$STATE/scale.log" 2>&1
  count_lines "scale $RUNS x $ITEMS" < "$STATE/scale.log"
  grep -q '^figures:' "$STATE/scale.log" || { bad "scale run did not finish"; tail -20 "$STATE/scale.log"; }
fi

finish
