#!/usr/bin/env bash
# Event-driven pipeline in a real n8n 2.41.1 (`n8n start`, published workflows): examples/webhook-submit.json
# submits 20 videos without waiting, each with a Client Business ID and a Callback URL; the simulator signs and
# delivers a toapis webhook per finished task to examples/webhook-receive.json (Sora Trigger → Write Files).
# Checks: 20 files named by business id, byte-equal to the simulator's video, 0 status reads, and a forged
# signature, a stale timestamp, a replayed event and an unsigned request each start no execution;
# endpoint.test is answered. Prints PASS/FAIL lines and "N passed, N failed" last; exit 1 on any failure.
#   npm run build && bash e2e/webhooks.sh
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=e2e/lib.sh
. "$HERE/lib.sh"

bash "$HERE/setup-n8n.sh" || { echo "FAIL: could not install n8n"; echo "0 passed, 1 failed"; exit 1; }
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-webhooks.XXXXXX")
t_start=$(date +%s)
js() { "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);console.log($1)})"; }

n8n_env "$STATE"
[ -f "$ROOT/dist/nodes/SoraTrigger/SoraTrigger.node.js" ] || { echo "FAIL: dist/ missing: run npm run build"; echo "0 passed, 1 failed"; exit 1; }
install_package "$STATE" || bad "npm pack / install of the package"
start_simulator "$STATE"

export N8N_PORT; N8N_PORT=$(free_port)
export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_SECURE_COOKIE=false
export WEBHOOK_URL="http://127.0.0.1:$N8N_PORT/"
export N8N_RESTRICT_FILE_ACCESS_TO="$STATE/files"
mkdir -p "$STATE/files" "$STATE/workflows"
N8N="http://127.0.0.1:$N8N_PORT"
TRIGGER_PATH=webhook/5e1b0a2c-0000-4000-8000-00000000a001/webhook
SECRET=$("$SYSTEM_NODE" -e "console.log(require('crypto').randomBytes(32).toString('hex'))")
# The token's default URL points at a path n8n does not serve: every event must travel by its callback_url.
curl -sf -X POST "$SIM_URL/__sim/webhooks" -H 'content-type: application/json' \
  -d "{\"defaultUrl\":\"$N8N/webhook/sora-default-unused\",\"secret\":\"$SECRET\",\"retryDelaysMs\":[500,1000,2000,4000]}" > /dev/null \
  || bad "configure the simulator's webhooks"

cat > "$STATE/credentials.json" <<JSON
[{"id":"soraWebhooks0001","name":"Sora API account","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY","webhookUrl":"$N8N/webhook/sora-default-unused","webhookSecret":"$SECRET"}}]
JSON
n8n import:credentials --input="$STATE/credentials.json" > "$STATE/import.log" 2>&1 || bad "import:credentials"
prepare_example "$ROOT/examples/webhook-submit.json" soraHookSubmit01 soraWebhooks0001 "$STATE/workflows/submit.json"
prepare_example "$ROOT/examples/webhook-receive.json" soraHookReceive1 soraWebhooks0001 "$STATE/workflows/receive.json" "" \
  "{\"/home/node/.n8n-files\": \"$STATE/files\"}"
n8n import:workflow --separate --input="$STATE/workflows" >> "$STATE/import.log" 2>&1 || bad "import:workflow"
for id in soraHookSubmit01 soraHookReceive1; do
  n8n publish:workflow --id=$id >> "$STATE/import.log" 2>&1 || bad "publish:workflow $id"
done

start_n8n() {
  n8n start >> "$STATE/start.log" 2>&1 &
  N8N_PID=$!; PIDS+=("$N8N_PID")
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$N8N/healthz/readiness")" = 200 ] && break
    kill -0 "$N8N_PID" 2>/dev/null || break; sleep 0.3
  done
  for _ in $(seq 1 50); do # the trigger's webhook is registered once n8n has activated the workflow
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$N8N/$TRIGGER_PATH")" = 401 ] && break; sleep 0.2
  done
}
start_n8n
JAR="$STATE/cookies.txt"
curl -s -c "$JAR" -H 'content-type: application/json' -X POST "$N8N/rest/owner/setup" \
  -d '{"email":"e2e@example.com","firstName":"E2e","lastName":"Owner","password":"E2e-password-123"}' > "$STATE/owner.json"
executions() { # number of executions of the receiving workflow
  curl -s -b "$JAR" "$N8N/rest/executions?limit=100&filter=%7B%22workflowId%22%3A%22soraHookReceive1%22%7D" \
    | js "${1:-j.data.count}" 2>/dev/null || echo "?"
}
send() { # JSON body for /__sim/webhooks/send -> "status responseBody"
  curl -s -X POST "$SIM_URL/__sim/webhooks/send" -H 'content-type: application/json' -d "$1" | js "j.status + ' ' + j.responseBody"
}

# endpoint.test, as the toapis console's "send test" button does it
answer=$(send "{\"type\":\"endpoint.test\",\"url\":\"$N8N/$TRIGGER_PATH\"}")
[[ "$answer" == 200*'"test":true'* ]] && ok "endpoint.test answered by the published Sora Trigger: $answer" || bad "endpoint.test: $answer"

# the batch: 20 submissions, no waiting
t=$(date +%s.%N)
curl -s "$N8N/webhook/sora-start-batch" > "$STATE/batch-response.json"
submitted=$(js "j.filter(x=>x.id&&x.clientBusinessId).length" < "$STATE/batch-response.json" 2>/dev/null || echo 0)
[ "$submitted" = 20 ] && ok "workflow 1 submitted 20 videos without waiting, each with its Client Business ID" \
  || { bad "workflow 1 returned $submitted tasks"; head -c 1500 "$STATE/batch-response.json"; }
for _ in $(seq 1 300); do
  [ "$(ls "$STATE/files"/*.mp4 2>/dev/null | wc -l)" -ge 20 ] && [ "$(executions)" -ge 20 ] && break; sleep 0.2
done
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
sleep 1
names_ok=1; bytes_ok=1
for i in $(seq -w 1 20); do
  f="$STATE/files/row-$i.mp4"
  [ -f "$f" ] || { names_ok=0; continue; }
  cmp -s "$f" "$ROOT/simulator/media/sample.mp4" || bytes_ok=0
done
files=$(ls "$STATE/files"/*.mp4 2>/dev/null | wc -l)
curl -s "$SIM_URL/__sim/state" > "$STATE/sim-state.json"
curl -s "$SIM_URL/__sim/webhooks" > "$STATE/deliveries.json"
reads=$(js "j.requests.filter(r=>r.method==='GET').length" < "$STATE/sim-state.json")
events=$(js "new Set(j.deliveries.filter(d=>d.type!=='endpoint.test').map(d=>d.eventId)).size" < "$STATE/deliveries.json")
deliveries=$(js "j.deliveries.filter(d=>d.type!=='endpoint.test').length" < "$STATE/deliveries.json")
refused=$(js "j.deliveries.filter(d=>d.type!=='endpoint.test'&&d.status!==200).length" < "$STATE/deliveries.json")
runs=$(executions)
succeeded=$(executions "j.data.results.filter(x=>x.status==='success').length")
if [ "$files" = 20 ] && [ $names_ok = 1 ] && [ $bytes_ok = 1 ] && [ "$reads" = 0 ] && [ "$runs" = 20 ] && [ "$succeeded" = 20 ]; then
  ok "20 videos arrived through signed webhooks in $secs s: 20 files named row-01..row-20.mp4, byte-equal to the simulator's video; events received $events, deliveries $deliveries ($refused refused), executions started $runs, status requests (polls) $reads"
else
  bad "pipeline: succeeded=$succeeded files=$files names_ok=$names_ok bytes_ok=$bytes_ok polls=$reads executions=$runs events=$events deliveries=$deliveries refused=$refused"
  tail -30 "$STATE/start.log"
fi

# what must start nothing: a forged signature, a stale timestamp, a replay of an accepted event, no signature
event=$(js "j.deliveries.find(d=>d.type==='generation.completed'&&d.status===200).eventId" < "$STATE/deliveries.json")
started_body=$(js "j.deliveries.find(d=>d.type==='generation.completed'&&d.status===200).responseBody" < "$STATE/deliveries.json")
[ -z "$started_body" ] && ok "an accepted event is answered 200 with an empty body once its execution has started" || bad "answer to an accepted event: '$started_body'"
before=$(executions)
forged=$(send "{\"replayOf\":\"$event\",\"variant\":\"forged\"}")
stale=$(send "{\"replayOf\":\"$event\",\"variant\":\"stale\"}")
replay=$(send "{\"replayOf\":\"$event\",\"variant\":\"duplicate\"}")
unsigned=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$N8N/$TRIGGER_PATH" -H 'content-type: application/json' -d '{"id":"evt_x","type":"generation.completed"}')
# correctly signed, but not a task event: 400
malformed=$("$SYSTEM_NODE" -e '
  const [url, secret] = process.argv.slice(1);
  const body = JSON.stringify({ id: "evt_malformed", type: "generation.completed", data: { model: "sora-2" } });
  const ts = Math.floor(Date.now() / 1000);
  const sig = require("crypto").createHmac("sha256", secret).update(`evt_malformed.${ts}.${body}`).digest("hex");
  fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-toapis-webhook-id": "evt_malformed",
    "x-toapis-webhook-timestamp": String(ts), "x-toapis-webhook-signature": `v1=${sig}` } }).then((r) => console.log(r.status));' "$N8N/$TRIGGER_PATH" "$SECRET")
sleep 2
after=$(executions)
[[ "$forged" == 401*invalid_signature* ]] && ok "forged signature: 401 ($forged)" || bad "forged: $forged"
[[ "$stale" == 401*stale_timestamp* ]] && ok "stale timestamp (1 h old, correctly signed): 401 ($stale)" || bad "stale: $stale"
[[ "$replay" == 200*'"duplicate":true'* ]] && ok "replayed event $event: 200, recognised as a duplicate" || bad "replay: $replay"
[ "$unsigned" = 401 ] && ok "request without signature headers: 401" || bad "unsigned: $unsigned"
[ "$malformed" = 400 ] && ok "signed body that is no task event: 400" || bad "malformed: $malformed"
[ "$before" = "$after" ] && ok "forged, stale, replayed, unsigned and malformed deliveries started no execution ($before executions before, $after after)" \
  || bad "executions $before -> $after after refused deliveries"

# the replay store lives in the workflow's static data (n8n's database): it survives a restart of n8n
kill "$N8N_PID" 2>/dev/null; wait "$N8N_PID" 2>/dev/null
start_n8n
replay=$(send "{\"replayOf\":\"$event\",\"variant\":\"duplicate\"}")
sleep 1
after_restart=$(executions)
[[ "$replay" == 200*'"duplicate":true'* ]] && [ "$after_restart" = "$after" ] \
  && ok "after restarting n8n, the replayed event $event is still a duplicate (200, executions still $after_restart)" \
  || bad "replay after restart: $replay, executions $after -> $after_restart"
kill "$N8N_PID" 2>/dev/null; wait "$N8N_PID" 2>/dev/null
if "$SYSTEM_NODE" "$HERE/check.mjs" no-secret "$STATE/start.log" "$SECRET" "$SIM_KEY" 2>/dev/null; then ok "the signing secret and API key appear nowhere in n8n's log"; else bad "a secret is in n8n's log"; fi
echo "webhooks e2e wall time: $(( $(date +%s) - t_start )) s; logs: $STATE"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
