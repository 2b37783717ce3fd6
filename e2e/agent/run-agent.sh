#!/usr/bin/env bash
# Sora Generate as an AI-agent tool, in a real n8n 2.41.1: examples/chat-to-video.json (Chat Trigger → AI Agent with
# the OpenAI Chat Model and Sora Generate as a tool) runs in a started n8n, its chat webhook called over HTTP. The
# "model" is e2e/agent/chat-server.mjs, a scripted chat-completions server on 127.0.0.1; the tool runs against the
# Sora simulator.
#   npm run build && bash e2e/agent/run-agent.sh
# Prints PASS/FAIL lines and "N passed, N failed" last; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"

bash "$ROOT/e2e/setup-n8n.sh" || { echo "FAIL: could not install n8n"; echo "0 passed, 1 failed"; exit 1; }
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-agent.XXXXXX")
t_start=$(date +%s)

n8n_env "$STATE"
[ -f "$ROOT/dist/nodes/SoraGenerate/SoraGenerate.node.js" ] || { echo "FAIL: dist/ missing: run npm run build"; echo "0 passed, 1 failed"; exit 1; }
install_package "$STATE" || bad "npm pack / install of the package"
start_simulator "$STATE"
"$SYSTEM_NODE" "$HERE/chat-server.mjs" --ready-file "$STATE/chat.json" > "$STATE/chat.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$STATE/chat.json" ] && break; sleep 0.1; done
CHAT_URL=$("$SYSTEM_NODE" -p "require('$STATE/chat.json').url")
echo "state: $STATE; simulator at $SIM_URL; scripted model at $CHAT_URL"

cat > "$STATE/credentials.json" <<JSON
[
 {"id":"soraToapis000001","name":"Sora API account","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY"}},
 {"id":"openAiScripted01","name":"OpenAI account","type":"openAiApi","data":{"apiKey":"sk-scripted-model-not-a-secret","url":"$CHAT_URL"}}
]
JSON
mkdir -p "$STATE/workflows"
prepare_example "$ROOT/examples/chat-to-video.json" soraExChatVideo1 soraToapis000001 "$STATE/workflows/chat.json" 1 \
  '{"REPLACE_WITH_YOUR_OPENAI_CREDENTIAL": "openAiScripted01"}'
if n8n import:credentials --input="$STATE/credentials.json" > "$STATE/import.log" 2>&1 \
  && n8n import:workflow --separate --input="$STATE/workflows" >> "$STATE/import.log" 2>&1 \
  && n8n publish:workflow --id=soraExChatVideo1 >> "$STATE/import.log" 2>&1; then
  ok "examples/chat-to-video.json imported and published (node type n8n-nodes-sora.soraGenerateTool)"
else
  bad "import/publish of chat-to-video.json"; tail -20 "$STATE/import.log"
fi

start_n8n "$STATE/start.log"
WEBHOOK_ID=$("$SYSTEM_NODE" -p "require('$ROOT/examples/chat-to-video.json').nodes.find(n => n.type.endsWith('chatTrigger')).webhookId")
# n8n reports ready before it has registered the published workflows' webhooks: wait for the hosted chat page.
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N8N_PORT/webhook/$WEBHOOK_ID/chat")" = 200 ] && break; sleep 0.2
done

chat() { # session message -> response JSON in $STATE/chat-<session>.json
  curl -s -m 120 -H 'content-type: application/json' -X POST "http://127.0.0.1:$N8N_PORT/webhook/$WEBHOOK_ID/chat" \
    -d "{\"action\":\"sendMessage\",\"sessionId\":\"$1\",\"chatInput\":\"$2\"}" > "$STATE/chat-$1.json"
}
check() { "$SYSTEM_NODE" "$HERE/check-agent.mjs" "$@"; }

t=$(date +%s.%N)
chat s1 "make a 8 second video of a lighthouse"
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
if msg=$(check answered "$STATE/chat-s1.json" "$SIM_URL" "$CHAT_URL" lighthouse 8 2>&1); then
  ok "chat \"make a 8 second video of a lighthouse\" ($secs s): $msg"
else
  bad "chat s1: $msg"; head -c 2000 "$STATE/chat-s1.json"; echo; tail -c 3000 "$STATE/start.log"
fi

t=$(date +%s.%N)
chat s2 "make a 7 second video of a harbour"
secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
if msg=$(check corrected "$STATE/chat-s2.json" "$SIM_URL" "$CHAT_URL" harbour 7 8 2>&1); then
  ok "chat \"make a 7 second video of a harbour\" ($secs s): $msg"
else
  bad "chat s2: $msg"; head -c 2000 "$STATE/chat-s2.json"; echo; tail -c 3000 "$STATE/start.log"
fi

if msg=$(check tool-description "$CHAT_URL" "$ROOT" 2>&1); then ok "tool as the model sees it: $msg"; else bad "tool description: $msg"; fi

if grep -q "$SIM_KEY" "$STATE"/chat-*.json "$STATE/start.log" || curl -s "$CHAT_URL/../__chat/requests" | grep -q "$SIM_KEY"; then
  bad "the Sora API key reached the chat answer, n8n's log or the model"
else
  ok "the Sora API key appears in no chat answer, no n8n log line and no request to the model"
fi
kill "$N8N_PID" 2>/dev/null; wait "$N8N_PID" 2>/dev/null

echo "agent e2e wall time: $(( $(date +%s) - t_start )) s; logs and results: $STATE"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
