#!/usr/bin/env bash
# n8n 2.41.1 in queue mode (PostgreSQL, Redis, main + 2 workers at --concurrency=5) with the packed package, against
# the Sora simulator with toapis' default rate limits (5 submits/s, burst 50). `npm run demo:queue` runs it in full:
#   scale    QUEUE_RUNS (20) webhook-triggered executions x QUEUE_ITEMS (10) Sora Generate items (wait + download)
#   loop     the long-job loop (Generate → Wait QUEUE_WAIT_SECONDS (70) → Task Status) leaves the worker while it
#            waits, and resumes on the surviving worker after the worker that ran it is killed (SIGKILL)
#   kill     a worker killed (SIGKILL) during Sora Generate's in-node wait: what n8n does, where the task id is
#   binary   a 400 MiB video into the database binary store (worker peak RSS)
#   cap      a video above the database store's cap (QUEUE_DB_MAX_MB, n8n's default 512) fails its item clearly
# QUEUE_CASES picks some (default: all); `npm test` runs scale (4 x 5, burst 10), cap (16 MiB) and loop. Prints
# PASS/FAIL lines and "N passed, N failed" last; exit 1 on any failure. Logs stay in the printed state folder.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
# shellcheck source=e2e/queue/lib.sh
. "$HERE/lib.sh"

RUNS=${QUEUE_RUNS:-20}; ITEMS=${QUEUE_ITEMS:-10}; WAIT_SECONDS=${QUEUE_WAIT_SECONDS:-70}
CASES=${QUEUE_CASES:-scale,binary,cap,loop,kill}
has_case() { [[ ",$CASES," == *",$1,"* ]]; }
finish() { echo "queue-mode wall time: $(( $(date +%s) - t_start )) s; logs: $STATE"; echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
t_start=$(date +%s)

bash "$ROOT/e2e/setup-n8n.sh" > /dev/null || { bad "could not install n8n"; finish; }
[ -f "$ROOT/dist/nodes/SoraGenerate/SoraGenerate.node.js" ] || { bad "dist/ missing: run npm run build"; finish; }
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-queue.XXXXXX")
echo "state: $STATE"

start_simulator "$STATE" --rate-limit "${QUEUE_RATE_LIMIT:-5,50,50,500}"
# The node alone absorbs the 429s of ten executions on two workers sharing one account's 5 submits/s (a refused
# submit is repeated for up to 10 minutes). QUEUE_RETRY_ON_FAIL=1 adds n8n's Retry On Fail (5 tries, 5 s apart): a
# retried node reuses the tasks it already submitted, one paid video per item, checked below.
queue_workflows "$STATE" "$([ "${QUEUE_RETRY_ON_FAIL:-0}" = 1 ] && echo true || echo false)"
t_up=$(date +%s)
queue_up "$STATE" 2 "$STATE/credentials.json" "$STATE/workflows" || { bad "queue mode did not come up"; finish; }
wait_webhook "$MAIN_URL/webhook/sora-queue-ping" || { bad "main never registered the published webhooks"; tail -20 "$STATE/main.log"; finish; }
ok "queue mode up in $(( $(date +%s) - t_up )) s: PostgreSQL $(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc 'SHOW server_version' postgres | cut -d' ' -f1), Redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-), n8n main + 2 workers (--concurrency=5), package installed in 3 user folders"

queue_batch() { # label runs items [more batch-run.mts arguments]
  batch_run "$@" --psql-port "$PG_PORT" --pids "main:$MAIN_PID,w1:${WORKER_PIDS[0]},w2:${WORKER_PIDS[1]}" \
    --worker-logs "w1:${WORKER_LOGS[0]},w2:${WORKER_LOGS[1]}"
}
count_lines() { # prefix each PASS/FAIL line of a sub-run with a label and count it
  while IFS= read -r line; do
    case "$line" in PASS:*) ok "$1: ${line#PASS: }";; FAIL:*) bad "$1: ${line#FAIL: }";; figures:*) echo "$1 $line";; esac
  done
}

sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$QUEUE_DB" -Atc "$1"; }
jq_() { "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const x=JSON.parse(s||'null');console.log($1)})"; }
stats() { curl -s "$SIM_URL/__sim/stats"; }
exec_status() { sql "SELECT status FROM execution_entity WHERE id = '$1'"; }
latest_exec() { sql "SELECT id FROM execution_entity WHERE \"workflowId\" = '$1' ORDER BY id::int DESC LIMIT 1"; }
worker_index() { # execution id -> index in WORKER_PIDS of the (live) worker that last started it
  local i found=""
  for i in "${!WORKER_LOGS[@]}"; do grep -q "Worker started execution $1 " "${WORKER_LOGS[$i]}" && kill -0 "${WORKER_PIDS[$i]}" 2>/dev/null && found=$i; done
  echo "$found"
}
replace_worker() { # index name: a fresh worker (with the package, as any new host needs) instead of a killed one
  install_in "$STATE/$2" "$STATE/pack" || return 1
  start_worker "$STATE" "$2"
  WORKER_PIDS[$1]=${WORKER_PIDS[-1]}; WORKER_LOGS[$1]=${WORKER_LOGS[-1]}; unset 'WORKER_PIDS[-1]' 'WORKER_LOGS[-1]'
  wait_worker "$STATE" "$2"
}
sample_sha=$(sha256sum "$ROOT/simulator/media/sample.mp4" | cut -d' ' -f1)

if has_case scale; then
  echo "--- scale: $RUNS executions x $ITEMS items through the queue"
  queue_batch "scale" "$RUNS" "$ITEMS" --min-ms 2000 --max-ms 4000 --json "$STATE/scale.json" > "$STATE/scale.log" 2>&1
  count_lines "scale $RUNS x $ITEMS" < "$STATE/scale.log"
  grep -q '^figures:' "$STATE/scale.log" || { bad "scale run did not finish"; tail -20 "$STATE/scale.log"; }
fi

if has_case binary; then
  echo "--- a 400 MiB video into the database binary store"
  queue_batch "binary-400MiB" 1 1 --min-ms 1000 --bytes $((400 * 1024 * 1024)) --json "$STATE/binary.json" > "$STATE/binary.log" 2>&1
  count_lines "400 MiB video" < "$STATE/binary.log"
  grep -q '^figures:' "$STATE/binary.log" || { bad "400 MiB run did not finish"; tail -20 "$STATE/binary.log"; }
fi

if has_case cap; then
  cap=${QUEUE_DB_MAX_MB:-512}; size=$(( (cap + 8) * 1024 * 1024 ))
  echo "--- a video of $((cap + 8)) MiB, above the database binary store's cap of $cap MiB"
  t=$(date +%s)
  before_rss=(); for p in "${WORKER_PIDS[@]}"; do before_rss+=("$(rss_of "$p" | cut -d' ' -f2)"); done
  curl -s "$MAIN_URL/webhook/sora-queue-cap?run=cap&items=1&minMs=1000&bytes=$size" > "$STATE/cap.json" &
  call=$!; peak_rss=(0 0)
  while kill -0 "$call" 2>/dev/null; do  # peak RSS of each worker while the call runs, sampled
    for i in 0 1; do r=$(rss_of "${WORKER_PIDS[$i]}" | cut -d' ' -f2); [ "${r:-0}" -gt "${peak_rss[$i]}" ] && peak_rss[$i]=$r; done
    sleep 0.2
  done
  wait "$call"
  line=$(jq_ 'JSON.stringify(Array.isArray(x) ? x[0] : x)' < "$STATE/cap.json")
  task=$(echo "$line" | jq_ 'x.id'); error=$(echo "$line" | jq_ 'x.error')
  alive=0; for p in "${WORKER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive+1)); done
  w=$(worker_index "$(echo "$line" | jq_ 'x.executionId')")
  if [[ "$task" == video_* ]] && [[ "$error" == *N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE* ]] && [[ "$error" == *"$task"* ]] && [ "$alive" = 2 ]; then
    ok "video above the cap ($((cap + 8)) MiB > $cap MiB) in $(( $(date +%s) - t )) s: the item keeps task id $task and says \"${error:0:150}…\"; both workers still up (the worker's RSS grew by $(( ${peak_rss[$w]:-0} - ${before_rss[$w]:-0} )) MiB: n8n reads the whole file before refusing it)"
  else
    bad "video above the cap: task=$task error=${error:0:300} workers alive=$alive"; head -c 800 "$STATE/cap.json"
  fi
fi

if has_case loop; then
  echo "--- long-job loop: Generate → Wait ${WAIT_SECONDS} s → Task Status; the worker that ran it is killed during the Wait"
  t=$(date +%s)
  curl -s -o /dev/null "$MAIN_URL/webhook/sora-queue-loop"
  exec_id=""; status=""
  for _ in $(seq 1 120); do exec_id=$(latest_exec soraQueueLoop001); [ -n "$exec_id" ] && status=$(exec_status "$exec_id"); [ "$status" = waiting ] && break; sleep 0.5; done
  w=$(worker_index "$exec_id"); active=$(redis-cli -p "$REDIS_PORT" llen bull:jobs:active)
  freed=$(grep -c "Worker finished execution $exec_id " "${WORKER_LOGS[$w]:-/dev/null}")
  if [ "$status" = waiting ] && [ -n "$w" ] && [ "$freed" -ge 1 ] && [ "$active" = 0 ]; then
    ok "loop: execution $exec_id is 'waiting' in the database after $(( $(date +%s) - t )) s; worker w$((w+1)) finished its job (no active queue job) and is free"
  else
    bad "loop: execution $exec_id status '$status', worker '$w', freed $freed, active jobs $active"
  fi
  killed=${WORKER_PIDS[$w]:-0}; kill -9 "$killed" 2>/dev/null; wait "$killed" 2>/dev/null
  echo "killed worker w$((w+1)) (PID $killed) with SIGKILL during the Wait"
  for _ in $(seq 1 $((WAIT_SECONDS * 2 + 120))); do status=$(exec_status "$exec_id"); case "$status" in success|error|crashed|canceled) break;; esac; sleep 0.5; done
  survivor=$(worker_index "$exec_id")
  stored=$(sql "SELECT encode(sha256(data), 'hex') FROM binary_data WHERE \"sourceId\" = '$exec_id'" | head -1)
  if [ "$status" = success ] && [ -n "$survivor" ] && [ "$survivor" != "$w" ] && [ "$stored" = "$sample_sha" ]; then
    ok "loop: resumed after the Wait on the surviving worker w$((survivor+1)) and completed in $(( $(date +%s) - t )) s; the video is in the binary store, equal to the simulator's"
  else
    bad "loop after the kill: status '$status', resumed on '$survivor', stored sha '${stored:0:12}'"
  fi
  replace_worker "$w" "w$((w+1))b" || bad "could not start a replacement worker"
fi

if has_case kill; then
  echo "--- a worker killed (SIGKILL) while Sora Generate waits inside the node"
  before=$(stats | jq_ 'x.acceptedSubmissions')
  curl -s "$MAIN_URL/webhook/sora-queue-cap?run=kill&items=3&minMs=45000" > "$STATE/kill-webhook.json" 2>&1 &
  PIDS+=($!); t=$(date +%s)
  for _ in $(seq 1 100); do [ "$(stats | jq_ 'x.acceptedSubmissions')" -ge $((before + 3)) ] 2>/dev/null && break; sleep 0.3; done
  [ "$(stats | jq_ 'x.acceptedSubmissions')" -ge $((before + 3)) ] || { bad "in-node wait kill: the 3 tasks were not submitted within 30 s"; finish; }
  ids=$(stats | jq_ "x.taskIds.slice(-3).join(' ')")
  exec_id=$(latest_exec soraQueueCap0001); w=$(worker_index "$exec_id")
  sleep 2; killed=${WORKER_PIDS[$w]:-0}; kill -9 "$killed" 2>/dev/null; wait "$killed" 2>/dev/null
  logged=0; in_data=0
  for id in $ids; do
    grep -q "Sora task $id submitted" "${WORKER_LOGS[$w]:-/dev/null}" && logged=$((logged+1))
    [ "$(sql "SELECT count(*) FROM execution_data WHERE \"executionId\" = '$exec_id' AND data LIKE '%$id%'")" -ge 1 ] && in_data=$((in_data+1))
  done
  echo "killed worker w$((w+1)) (PID $killed) running execution $exec_id with tasks $ids"
  for _ in $(seq 1 600); do status=$(exec_status "$exec_id"); case "$status" in running|new) sleep 0.5;; *) break;; esac; done
  after_status=$(( $(date +%s) - t ))
  rerun_by=$(grep -l "Worker started execution $exec_id " "${WORKER_LOGS[@]}" | grep -vc "${WORKER_LOGS[$w]}")
  # What a user might do next in the UI: retry the failed execution (REST, as the editor's "Retry" button)
  JAR="$STATE/cookies.txt"
  curl -s -c "$JAR" -H 'content-type: application/json' -X POST "$MAIN_URL/rest/owner/setup" \
    -d '{"email":"queue@example.com","firstName":"Queue","lastName":"Owner","password":"Queue-password-123"}' > /dev/null
  curl -s -b "$JAR" -H 'content-type: application/json' -X POST "$MAIN_URL/rest/executions/$exec_id/retry" -d '{"loadWorkflow":false}' > "$STATE/kill-retry.json"
  sleep 5
  after=$(stats | jq_ 'x.acceptedSubmissions')
  echo "execution $exec_id: '$status' $after_status s after the kill; re-run on another worker: $rerun_by; task ids in the killed worker's log: $logged/3, in the execution's saved data: $in_data/3; retry answered: $(head -c 200 "$STATE/kill-retry.json")"
  if [ "$logged" = 3 ] && [ "$after" = $((before + 3)) ] && [ "$status" != running ]; then
    ok "in-node wait, worker SIGKILLed: n8n marks execution $exec_id '$status' after $after_status s and does not re-run it (other workers started it: $rerun_by); the 3 task ids are in n8n's log line \"Sora task <id> submitted\" (3/3), not in the execution's data ($in_data/3); retrying the execution sent no new submission ($((after - before)) accepted in all)"
  else
    bad "in-node wait kill: status '$status', ids logged $logged/3, submissions $before -> $after"
  fi
  replace_worker "$w" "w$((w+1))c" || bad "could not start a replacement worker"
fi

finish
