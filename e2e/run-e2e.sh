#!/usr/bin/env bash
# End-to-end test in a real n8n 2.41.1: the packed n8n-nodes-sora (as n8n would install it: dist + package.json,
# no node_modules, so n8n-workflow and zod come from n8n itself) runs workflows against the Sora simulator.
#   npm run build && bash e2e/run-e2e.sh        (installs n8n on first use: see e2e/setup-n8n.sh)
# Prints PASS/FAIL lines and "N passed, N failed" last; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=e2e/lib.sh
. "$HERE/lib.sh"

bash "$HERE/setup-n8n.sh" || { echo "FAIL: could not install n8n"; echo "0 passed, 1 failed"; exit 1; }

STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-e2e.XXXXXX")
check() { "$SYSTEM_NODE" "$HERE/check.mjs" "$@"; }
t_start=$(date +%s)

n8n_env "$STATE"
[ -f "$ROOT/dist/nodes/SoraTaskStatus/SoraTaskStatus.node.js" ] || { echo "FAIL: dist/ missing: run npm run build"; echo "0 passed, 1 failed"; exit 1; }
install_package "$STATE" \
  && ok "package packed and installed without node_modules ($(du -sk "$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-sora" | cut -f1) KiB)" \
  || bad "npm pack / install of the package"
start_simulator "$STATE"
WRONG_KEY=sk-e2e-wrong-key-000111222
echo "state: $STATE; simulator at $SIM_URL"

cat > "$STATE/credentials.json" <<JSON
[
 {"id":"soraToapis000001","name":"Sora (toapis)","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY"}},
 {"id":"soraOpenAi000001","name":"Sora (openaiCompatible)","type":"soraApi","data":{"apiFlavor":"openaiCompatible","baseUrl":"$SIM_URL/v1","apiKey":"$SIM_KEY"}},
 {"id":"soraAzure0000001","name":"Sora (azure)","type":"soraApi","data":{"apiFlavor":"azure","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY"}},
 {"id":"soraWrongKey0001","name":"Sora (toapis)","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$WRONG_KEY"}}
]
JSON
n8n import:credentials --input="$STATE/credentials.json" > "$STATE/import-cred.log" 2>&1 \
  && ok "import:credentials" || { bad "import:credentials"; tail -20 "$STATE/import-cred.log"; }

mkdir -p "$STATE/workflows"
wf() { # template id flavor credential [model duration]
  sed -e "s#__WF_ID__#$2#" -e "s#__FLAVOR__#$3#g" -e "s#__CRED_ID__#$4#" -e "s#__SIM_URL__#$SIM_URL#" -e "s#__SIM_CDN__#$SIM_CDN#" \
    -e "s#__MODEL__#${5:-}#" -e "s#__DURATION__#${6:-0}#" "$HERE/workflows/$1.template.json" > "$STATE/workflows/$2.json"
}
wf task-status soraE2eToapis001 toapis soraToapis000001
wf task-status soraE2eOpenAi001 openaiCompatible soraOpenAi000001
wf task-status soraE2eAzure0001 azure soraAzure0000001
wf task-status soraE2eWrongKey1 toapis soraWrongKey0001
wf generate soraE2eGenToapis toapis soraToapis000001 sora-2-vvip 4
wf generate soraE2eGenOpenAi openaiCompatible soraOpenAi000001 sora-2 8
wf generate soraE2eGenInvald toapis soraToapis000001 sora-2 12
wf generate-retry soraE2eGenRetry1 toapis soraToapis000001 sora-2 10
wf seedance-last-frame soraE2eSeedance1 toapis soraToapis000001
wf editor soraE2eEditor001 toapis soraToapis000001
wf cancel soraE2eCancel001 toapis soraToapis000001
# The shipped examples, pointed at the simulator's credential, polling every second instead of every 15.
example() { prepare_example "$ROOT/examples/$1" "$2" "$3" "$STATE/workflows/$2.json" 1 "${4:-}"; }
export N8N_RESTRICT_FILE_ACCESS_TO="$STATE/files"   # where "Save Video Files" may write (n8n 2.x restricts file access)
mkdir -p "$STATE/files"
example character-reuse.json soraExCharacter1 soraToapis000001
example scheduled-batch.json soraExBatch00001 soraToapis000001 "{\"/home/node/.n8n-files\": \"$STATE/files\"}"
example long-job-loop.json soraExLongJob001 soraToapis000001
example image-to-video.json soraExImage00001 soraToapis000001 "{\"https://example.com/first-frame-1280x720.png\": \"$SIM_CDN/samples/frame-1280x720.png\"}"
# On Error: one workflow for both Continue modes, one per failure kind for Stop Workflow ("id=kind" pairs)
on_error_stop_cases=$("$SYSTEM_NODE" "$HERE/on-error.mjs" build "$STATE/workflows" "$SIM_URL" soraToapis000001 soraWrongKey0001)
n8n import:workflow --separate --input="$STATE/workflows" > "$STATE/import-wf.log" 2>&1 \
  && ok "import:workflow ($(ls "$STATE/workflows" | wc -l) workflows)" || { bad "import:workflow"; tail -20 "$STATE/import-wf.log"; }

run_wf() { # id -> $STATE/<id>.out, returns rc
  N8N_LOG_FORMAT=json n8n execute --id="$1" --rawOutput > "$STATE/$1.out" 2> "$STATE/$1.err"
}

checked_wf() { # label workflow-id check-name [check args after the result and user folder]
  local label=$1 id=$2 name=$3 t rc secs msg=""
  shift 3
  t=$(date +%s.%N)
  run_wf "$id"; rc=$?
  secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  if [ $rc -eq 0 ] && "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/$id.out" > "$STATE/$id.result.json" \
     && msg=$(check "$name" "$STATE/$id.result.json" "$N8N_USER_FOLDER" "$ROOT/simulator/media/sample.mp4" "$@" 2>&1); then
    ok "$label in n8n ($secs s): $msg"
  else
    bad "$label rc=$rc: $msg"; tail -c 3000 "$STATE/$id.out"; tail -c 1500 "$STATE/$id.err"
  fi
}
video_wf() { checked_wf "$1" "$2" video-output "$3"; } # label workflow-id node-name
video_wf "toapis: Manual Trigger → Sora Task Status (wait + download)" soraE2eToapis001 "Sora Task Status"
video_wf "openaiCompatible: Manual Trigger → Sora Task Status (wait + download)" soraE2eOpenAi001 "Sora Task Status"
video_wf "azure: Manual Trigger → Sora Task Status (wait + download)" soraE2eAzure0001 "Sora Task Status"
video_wf "toapis: Manual Trigger → Sora Generate sora-2-vvip 4 s (wait + download)" soraE2eGenToapis "Sora Generate"
video_wf "openaiCompatible: Manual Trigger → Sora Generate sora-2 8 s (wait + download)" soraE2eGenOpenAi "Sora Generate"

run_wf soraE2eSeedance1; rc=$?
curl -s "$SIM_URL/__sim/state" > "$STATE/sim-after-seedance.json"
if [ $rc -eq 0 ] && "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/soraE2eSeedance1.out" > "$STATE/soraE2eSeedance1.result.json" \
   && msg=$(check seedance-last-frame "$STATE/soraE2eSeedance1.result.json" "$N8N_USER_FOLDER" "$ROOT/simulator/media/sample.mp4" "$STATE/sim-after-seedance.json" 2>&1); then
  ok "toapis: Seedance 2.5, 12 s 21:9, first frame from a binary field, audio, last frame (wait + download): $msg"
else
  bad "Seedance 2.5 last frame rc=$rc: ${msg:-}"; tail -c 3000 "$STATE/soraE2eSeedance1.out"; tail -c 1500 "$STATE/soraE2eSeedance1.err"
fi

checked_wf "example character-reuse.json" soraExCharacter1 character-example
checked_wf "example long-job-loop.json" soraExLongJob001 loop-example
video_wf "example image-to-video.json: HTTP Request (file) → Sora Generate with Image From Binary Field" soraExImage00001 "Sora Generate"
uploads=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).requests.filter(r=>r.path==='/v1/uploads/images'&&r.status===200).length))")
[ "$uploads" -ge 1 ] && ok "image-to-video: the downloaded frame was uploaded through /v1/uploads/images" || bad "image-to-video: no upload seen"

submits_before=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).submissions))")
t=$(date +%s.%N)
run_wf soraE2eGenRetry1; rc=$?
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
submits_after=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).submissions))")
if [ $rc -eq 0 ] && "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/soraE2eGenRetry1.out" > "$STATE/soraE2eGenRetry1.result.json" \
   && msg=$(check video-output "$STATE/soraE2eGenRetry1.result.json" "$N8N_USER_FOLDER" "$ROOT/simulator/media/sample.mp4" "Sora Generate" 2>&1) \
   && [ $((submits_after - submits_before)) -eq 1 ]; then
  ok "Retry On Fail: the first wait times out, n8n re-runs the node, it picks up the same task ($secs s): 1 submission, $msg"
else
  bad "Retry On Fail: rc=$rc, submissions $submits_before -> $submits_after ${msg:-}"; tail -c 2000 "$STATE/soraE2eGenRetry1.out"
fi

submits_before=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).submissions))")
t=$(date +%s.%N)
run_wf soraExBatch00001; rc=$?
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
curl -s "$SIM_URL/__sim/state" > "$STATE/sim-after-batch.json"
if [ $rc -eq 0 ] && "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/soraExBatch00001.out" > "$STATE/soraExBatch00001.result.json" \
   && msg=$(check batch-example "$STATE/soraExBatch00001.result.json" "$N8N_USER_FOLDER" "$ROOT/simulator/media/sample.mp4" "$STATE/sim-after-batch.json" "$submits_before" 2>&1); then
  saved=$(ls "$STATE/files/"sora-*.mp4 2>/dev/null | wc -l)
  [ "$saved" -eq 20 ] && ok "example scheduled-batch.json (20 items) in n8n ($secs s): $msg; 20 MP4 files saved by Write Files" \
    || bad "example scheduled-batch.json: $saved files saved"
else
  bad "example scheduled-batch.json rc=$rc: ${msg:-}"; tail -c 3000 "$STATE/soraExBatch00001.out"
fi

before=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).requests.length))")
run_wf soraE2eGenInvald; rc=$?
after=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).requests.length))")
if [ $rc -ne 0 ] && grep -q 'Duration is 12, but sora-2 allows 10 s or 15 s' "$STATE/soraE2eGenInvald.out" && [ "$before" = "$after" ]; then
  ok "invalid Sora Generate item (sora-2 at 12 s) refused in n8n with a clear message and 0 requests to the provider"
else
  bad "invalid Generate: rc=$rc, provider requests $before -> $after"; grep -o '"message":"[^"]*' "$STATE/soraE2eGenInvald.out" | tail -3
fi

run_wf soraE2eWrongKey1; rc=$?
if [ $rc -ne 0 ] && grep -q 'rejected the API key (401)' "$STATE/soraE2eWrongKey1.out" \
   && check no-secret "$STATE/soraE2eWrongKey1.out" "$WRONG_KEY" "$SIM_KEY" && check no-secret "$STATE/soraE2eWrongKey1.err" "$WRONG_KEY" "$SIM_KEY"; then
  ok "wrong API key: execution fails with \"rejected the API key (401)\", the key appears nowhere in n8n's output"
else
  bad "wrong API key: rc=$rc"; grep -o '"message":"[^"]*' "$STATE/soraE2eWrongKey1.out" | tail -5
fi

# --- On Error: Stop Workflow / Continue (regular output) / Continue (using error output), every failure kind --------
t=$(date +%s.%N)
run_wf soraE2eOnErrCont
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
if "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/soraE2eOnErrCont.out" > "$STATE/soraE2eOnErrCont.result.json" \
   && msg=$("$SYSTEM_NODE" "$HERE/on-error.mjs" check-continue "$STATE/soraE2eOnErrCont.result.json" 2>&1); then
  ok "On Error, Continue modes in n8n ($secs s): $msg"
else
  bad "On Error, Continue modes: $msg"
fi
for case in $on_error_stop_cases; do
  id=${case%%=*}; kind=${case#*=}
  run_wf "$id"
  "$SYSTEM_NODE" "$HERE/extract-result.mjs" "$STATE/$id.out" > "$STATE/$id.result.json" 2>/dev/null
  if msg=$("$SYSTEM_NODE" "$HERE/on-error.mjs" check-stop "$kind" "$STATE/$id.result.json" "$STATE/$id.out" 2>&1); then
    ok "On Error, Stop Workflow: $msg"
  else
    bad "On Error, Stop Workflow ($kind): $msg"
  fi
done

# --- credential tests through n8n's own REST API (what the "Test" button in the editor calls) -------------
n8n publish:workflow --id=soraE2eCancel001 > "$STATE/publish.log" 2>&1 || { bad "publish:workflow (cancel)"; tail -5 "$STATE/publish.log"; }
start_n8n "$STATE/start.log"
JAR="$STATE/cookies.txt"
curl -s -c "$JAR" -H 'content-type: application/json' -X POST "http://127.0.0.1:$N8N_PORT/rest/owner/setup" \
  -d '{"email":"e2e@example.com","firstName":"E2e","lastName":"Owner","password":"E2e-password-123"}' > "$STATE/owner.json"
cred_test() { # name id flavor baseUrl key expected pattern
  curl -s -b "$JAR" -H 'content-type: application/json' -X POST "http://127.0.0.1:$N8N_PORT/rest/credentials/test" \
    -d "{\"credentials\":{\"id\":\"$2\",\"name\":\"$1\",\"type\":\"soraApi\",\"data\":{\"apiFlavor\":\"$3\",\"baseUrl\":\"$4\",\"apiKey\":\"$5\"}}}" > "$STATE/credtest-$2-$6.json"
  if msg=$(check credential-test "$STATE/credtest-$2-$6.json" "$6" "${7:-}" 2>&1); then ok "credential test, $3, $([ "$6" = OK ] && echo good || echo wrong) key: $msg"
  else bad "credential test $3 $6: $msg"; fi
}
cred_test "Sora (toapis)" soraToapis000001 toapis "$SIM_URL" "$SIM_KEY" OK
cred_test "Sora (toapis)" soraToapis000001 toapis "$SIM_URL" "$WRONG_KEY" Error "rejected"
cred_test "Sora (openaiCompatible)" soraOpenAi000001 openaiCompatible "$SIM_URL/v1" "$SIM_KEY" OK
cred_test "Sora (openaiCompatible)" soraOpenAi000001 openaiCompatible "$SIM_URL/v1" "$WRONG_KEY" Error "rejected|401|Unauthorized"
cred_test "Sora (azure)" soraAzure0000001 azure "$SIM_URL" "$SIM_KEY" OK
cred_test "Sora (azure)" soraAzure0000001 azure "$SIM_URL" "$WRONG_KEY" Error "rejected|401|Unauthorized"

# --- cancelling a running execution: n8n's stop reaches the node's wait through the cancel signal -------------
api() { curl -s -b "$JAR" -H 'content-type: application/json' "$@"; }
for _ in $(seq 1 50); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N8N_PORT/webhook/sora-cancel")" = 200 ] && break; sleep 0.2; done
exec_id=""
for _ in $(seq 1 50); do
  exec_id=$(api "http://127.0.0.1:$N8N_PORT/rest/executions?limit=5" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{try{const r=JSON.parse(s).data;const l=(r.results??r);const e=l.find(x=>x.workflowId==='soraE2eCancel001'&&['running','new'].includes(x.status));console.log(e?e.id:'')}catch{console.log('')}})")
  [ -n "$exec_id" ] && break; sleep 0.2
done
task_id=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const t=JSON.parse(s).tasks.filter(t=>t.status==='in_progress'||t.status==='queued').at(-1);console.log(t?t.id:'')})")
sleep 3
t=$(date +%s.%N)
api -X POST "http://127.0.0.1:$N8N_PORT/rest/executions/$exec_id/stop" > "$STATE/stop.json"
for _ in $(seq 1 50); do
  status=$(api "http://127.0.0.1:$N8N_PORT/rest/executions/$exec_id" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{try{console.log(JSON.parse(s).data.status)}catch{console.log('?')}})")
  case "$status" in running|new|'?') sleep 0.2;; *) break;; esac
done
stopped_in=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
reads_at_stop=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).tasks.find(t=>t.id==='$task_id')?.reads ?? -1))")
sleep 5
reads_later=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).tasks.find(t=>t.id==='$task_id')?.reads ?? -1))")
api "http://127.0.0.1:$N8N_PORT/rest/executions/$exec_id" > "$STATE/cancelled-execution.json"
in_log=$(grep -c "Sora task ${task_id:-none} submitted" "$STATE/start.log")
if [ -n "$exec_id" ] && [ -n "$task_id" ] && [ "$status" = canceled ] && [ "$reads_at_stop" = "$reads_later" ] && [ "$in_log" -ge 1 ]; then
  ok "stop a running execution in n8n: status $status after $stopped_in s, the node stopped polling task $task_id ($reads_at_stop reads, none after); the id is in n8n's log: $in_log line(s)"
else
  bad "stop a running execution: exec=$exec_id task=$task_id status=$status reads $reads_at_stop -> $reads_later"; head -c 1500 "$STATE/cancelled-execution.json"
fi

# --- the editor, in headless Chromium --------------------------------------------------------------------
if bash "$HERE/setup-browser.sh" > "$STATE/browser-setup.log" 2>&1; then
  "$SYSTEM_NODE" "$ROOT/node_modules/.bin/tsx" "$HERE/editor.mts" --url "http://127.0.0.1:$N8N_PORT" --workflow soraE2eEditor001 \
    --email e2e@example.com --password E2e-password-123 --out "$STATE/editor-sora-generate.png" > "$STATE/editor.log" 2>&1
  # UPDATE_SCREENSHOT=1 npm test refreshes the README's picture
  [ "${UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$STATE/editor-sora-generate.png" "$ROOT/docs/editor-sora-generate.png"
  while read -r line; do case "$line" in PASS:*) ok "${line#PASS: }";; FAIL:*) bad "${line#FAIL: }";; esac; done < "$STATE/editor.log"
  grep -q '^PASS: editor: screenshot' "$STATE/editor.log" || { bad "editor test did not finish"; tail -20 "$STATE/editor.log"; }
else
  bad "no Chromium for the editor test: $(tail -3 "$STATE/browser-setup.log")"
fi
kill "$N8N_PID" 2>/dev/null; wait "$N8N_PID" 2>/dev/null

# --- what the simulator saw ------------------------------------------------------------------------------
curl -s "$SIM_URL/__sim/state" > "$STATE/sim-state.json"
if msg=$(check sim-clean "$STATE/sim-state.json" 2>&1); then ok "simulator: $msg"; else bad "simulator: $msg"; fi

echo "e2e wall time: $(( $(date +%s) - t_start )) s; logs and results: $STATE"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
