# Shared by e2e/run-e2e.sh and scripts/demo.sh: a throwaway n8n user folder with this package installed the way
# n8n installs community packages, the Sora simulator, and running a workflow headless. Source it; needs $ROOT.
RT=${N8N_SORA_RUNTIME:-$HOME/.cache/n8n-nodes-sora/n8n-2.41.1}
SYSTEM_NODE=$(command -v node)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
pass=0; fail=0
ok()  { echo "PASS: $*"; pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
free_port() { "$SYSTEM_NODE" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# n8n_env DIR: quiet, offline, isolated n8n state under DIR/user
n8n_env() {
  export N8N_USER_FOLDER="$1/user"
  export N8N_ENCRYPTION_KEY=sora-local-only-not-a-secret
  export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false
  export N8N_DISABLED_MODULES=mcp-registry N8N_UNVERIFIED_PACKAGES_ENABLED=true
  export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true N8N_LOG_LEVEL=info
  export N8N_RUNNERS_BROKER_PORT; N8N_RUNNERS_BROKER_PORT=$(free_port)
  # shellcheck disable=SC1091
  . "$RT/env.sh"
}

# install_package DIR: npm pack this project and unpack it as $N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-sora
# (dist + package.json, no node_modules: n8n-workflow and zod then come from n8n itself, as after a real install)
install_package() {
  local pkg="$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-sora"
  mkdir -p "$pkg"
  # packed once per destination folder (queue mode installs it into several user folders)
  { ls "$1"/n8n-nodes-sora-*.tgz > /dev/null 2>&1 || (cd "$ROOT" && npm pack --silent --pack-destination "$1" >/dev/null 2>&1); } \
    && tar -xzf "$1"/n8n-nodes-sora-*.tgz -C "$pkg" --strip-components=1 && [ ! -d "$pkg/node_modules" ]
}

# start_simulator DIR [simulator args]: sets SIM_URL, SIM_KEY
start_simulator() {
  local dir=$1; shift
  "$SYSTEM_NODE" "$ROOT/node_modules/.bin/tsx" "$ROOT/simulator/cli.mts" --ready-file "$dir/sim.json" "$@" > "$dir/sim.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$dir/sim.json" ] && break; sleep 0.1; done
  SIM_URL=$("$SYSTEM_NODE" -p "require('$dir/sim.json').url")
  SIM_KEY=$("$SYSTEM_NODE" -p "require('$dir/sim.json').apiKey")
  SIM_CDN=$("$SYSTEM_NODE" -p "require('$dir/sim.json').cdnUrl")
}

# prepare_example FILE ID CREDENTIAL_ID OUT [POLL_SECONDS] [REPLACEMENTS_JSON]: an example workflow bound to a
# credential, with faster polling and {"text": "replacement"} applied to its JSON (URLs, paths, Wait amounts)
prepare_example() {
  "$SYSTEM_NODE" -e '
    const [file, id, cred, poll, replacements] = process.argv.slice(1);
    let text = require("fs").readFileSync(file, "utf8");
    for (const [from, to] of Object.entries(JSON.parse(replacements || "{}"))) text = text.split(from).join(to);
    const wf = JSON.parse(text);
    wf.id = id;
    for (const node of wf.nodes) {
      if (node.credentials?.soraApi) node.credentials.soraApi = { id: cred, name: "Sora API account" };
      if (poll && node.parameters?.pollInterval) node.parameters.pollInterval = Number(poll);
      if (node.type === "n8n-nodes-base.wait" && poll) node.parameters.amount = Number(poll);
    }
    process.stdout.write(JSON.stringify(wf));' "$1" "$2" "$3" "${5:-}" "${6:-}" > "$4"
}

# run_workflow ID DIR: n8n execute, stdout/stderr to DIR/ID.out|err, the result JSON to DIR/ID.result.json
run_workflow() {
  N8N_LOG_FORMAT=json n8n execute --id="$1" --rawOutput > "$2/$1.out" 2> "$2/$1.err"
  local rc=$?
  "$SYSTEM_NODE" "$ROOT/e2e/extract-result.mjs" "$2/$1.out" > "$2/$1.result.json" 2>/dev/null
  return $rc
}

# start_n8n LOG: `n8n start` on a free port of 127.0.0.1 (sets N8N_PORT, N8N_PID), back once it reports ready
start_n8n() {
  export N8N_PORT; N8N_PORT=$(free_port)
  export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_SECURE_COOKIE=false
  n8n start > "$1" 2>&1 &
  N8N_PID=$!; PIDS+=("$N8N_PID")
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N8N_PORT/healthz/readiness")" = 200 ] && break
    kill -0 "$N8N_PID" 2>/dev/null || break; sleep 0.3
  done
}
