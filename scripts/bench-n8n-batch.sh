#!/usr/bin/env bash
# npm run bench:n8n — the batch benchmark in a real n8n 2.41.1, not a test: N Sora Generate items (wait + download,
# default 1,000; BENCH_N) against the simulator with toapis' default limits (5 submits/s, burst 50), renders of 2-4 s,
# polling every second,
#   regular  one execution of N items in `n8n start` (SQLite, filesystem binary data)
#   queue    the same N as BENCH_EXECUTIONS (10) webhook executions over 2 workers (PostgreSQL, Redis, database binary data)
# and prints, side by side: wall time against the physical bound (submitting N at the rate limit, burst included,
# plus the longest render), 429s, polls per task, submits per item, duplicates, lost ids, peak RSS growth per n8n
# process, and the simulator's timeline. BENCH_MODES=regular or queue runs one. Figures also in BENCH_JSON (a file).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
# shellcheck source=e2e/queue/lib.sh
. "$ROOT/e2e/queue/lib.sh"
N=${BENCH_N:-1000}; EXECUTIONS=${BENCH_EXECUTIONS:-10}; MODES=${BENCH_MODES:-regular,queue}
RATE=5; BURST=50; MIN_MS=2000; MAX_MS=4000

[ -f "$ROOT/dist/nodes/SoraGenerate/SoraGenerate.node.js" ] || (cd "$ROOT" && npm run --silent build) || exit 1
bash "$ROOT/e2e/setup-n8n.sh" > /dev/null || { echo "could not install n8n"; exit 1; }
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-bench-n8n.XXXXXX")
echo "bench:n8n: $N items, state in $STATE"
start_simulator "$STATE" --rate-limit "$RATE,$BURST,50,500"
# Several executions share one account's 5 submits/s; the node absorbs the 429s itself (see README, queue mode)
queue_workflows "$STATE" "$([ "${BENCH_RETRY_ON_FAIL:-0}" = 1 ] && echo true || echo false)"

if [[ ",$MODES," == *",regular,"* ]]; then
  mkdir -p "$STATE/regular"
  (n8n_env "$STATE/regular"; install_package "$STATE/regular" \
    && n8n import:credentials --input="$STATE/credentials.json" && n8n import:workflow --separate --input="$STATE/workflows" \
    && n8n publish:workflow --id=soraQueuePing001 && n8n publish:workflow --id=soraQueueBatch01) > "$STATE/regular/import.log" 2>&1 \
    || { echo "regular mode: import failed"; tail -20 "$STATE/regular/import.log"; exit 1; }
  port=$(free_low_port)
  (n8n_env "$STATE/regular"; export N8N_PORT=$port N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1; exec n8n start) > "$STATE/regular/main.log" 2>&1 &
  REGULAR_PID=$!; N8N_PIDS+=("$REGULAR_PID"); MAIN_URL="http://127.0.0.1:$port"
  wait_webhook "$MAIN_URL/webhook/sora-queue-ping" || { echo "regular n8n did not come up"; tail -20 "$STATE/regular/main.log"; exit 1; }
  echo "--- regular mode: one execution of $N items"
  batch_run regular 1 "$N" --min-ms $MIN_MS --max-ms $MAX_MS --pids "main:$REGULAR_PID" --json "$STATE/regular.json" | tee "$STATE/regular.log" | grep -v '^figures'
  kill "$REGULAR_PID"; wait "$REGULAR_PID" 2>/dev/null
fi

if [[ ",$MODES," == *",queue,"* ]]; then
  queue_up "$STATE/queue" 2 "$STATE/credentials.json" "$STATE/workflows" || exit 1
  wait_webhook "$MAIN_URL/webhook/sora-queue-ping" || { echo "queue mode did not come up"; exit 1; }
  echo "--- queue mode: $EXECUTIONS executions of $((N / EXECUTIONS)) items over 2 workers"
  batch_run queue "$EXECUTIONS" "$((N / EXECUTIONS))" --min-ms $MIN_MS --max-ms $MAX_MS --psql-port "$PG_PORT" \
    --pids "main:$MAIN_PID,w1:${WORKER_PIDS[0]},w2:${WORKER_PIDS[1]}" --worker-logs "w1:${WORKER_LOGS[0]},w2:${WORKER_LOGS[1]}" \
    --json "$STATE/queue.json" | tee "$STATE/queue.log" | grep -v '^figures'
fi

"$SYSTEM_NODE" -e '
  const fs = require("fs"); const [dir, n, rate, burst, maxMs, out] = process.argv.slice(1);
  const runs = ["regular", "queue"].filter((m) => fs.existsSync(`${dir}/${m}.json`)).map((m) => JSON.parse(fs.readFileSync(`${dir}/${m}.json`, "utf8")));
  // Nothing can finish earlier: the burst goes at once, the rest at the rate limit, then the last render runs
  const bound = Math.max(0, (n - burst) / rate) + maxMs / 1000;
  const row = (label, f) => console.log(label.padEnd(34) + runs.map((r) => String(f(r)).padStart(26)).join(""));
  const s = (x) => (x === null || x === undefined ? "-" : typeof x === "number" ? x.toFixed(1) + " s" : x);
  console.log(`\nbench:n8n  ${n} generate-and-wait items, toapis limits ${rate} submits/s burst ${burst}, renders 2-${maxMs / 1000} s, poll 1 s`);
  row("", (r) => r.label);
  row("items completed / lost / duplicates", (r) => `${r.completed} / ${r.lost} / ${r.duplicates}`);
  row("wall time", (r) => s(r.wallSeconds));
  row("physical bound", () => s(bound));
  row("ratio to the bound", (r) => (r.wallSeconds / bound).toFixed(2) + "x");
  row("429s (submit / read)", (r) => `${r.rateLimited.submit} / ${r.rateLimited.read}`);
  row("submit requests per item", (r) => r.submitsPerItem.toFixed(2));
  row("video downloads per item", (r) => r.downloadsPerItem.toFixed(2));
  row("polls per task (max / mean)", (r) => `${r.pollsPerTask.max} / ${r.pollsPerTask.mean.toFixed(2)}`);
  row("executions per worker", (r) => JSON.stringify(r.executionsPerWorker).replace(/"/g, "") || "-");
  for (const p of ["main", "w1", "w2"]) row(`RSS growth ${p} (peak)`, (r) => (r.memory[p] ? `${r.memory[p].growthMiB} MiB (${r.memory[p].peakMiB})` : "-"));
  for (const [k, v] of Object.entries(runs[0]?.timeline ?? {})) row(`timeline: ${k}`, (r) => s(r.timeline[k]));
  if (out) fs.writeFileSync(out, JSON.stringify({ n: Number(n), bound, runs }, null, 2) + "\n");
' "$STATE" "$N" "$RATE" "$BURST" "$MAX_MS" "${BENCH_JSON:-}"
