# n8n in queue mode on one machine, for `npm run demo:queue`, its reduced check in `npm test` and the real-n8n bench:
# PostgreSQL and Redis (Debian packages) on 127.0.0.1 with throwaway data, n8n main + workers, each with its own
# user folder holding the packed package (as separate hosts would have), and the Sora simulator.
# Source it after e2e/lib.sh (needs $ROOT); every process it starts is stopped by PID on exit, also on failure.
#
# Facts this follows (checked with n8n 2.41.1): every process needs its own task-broker port and workers their own
# health port; `n8n execute` ignores the queue, so work reaches workers through production webhooks of published
# workflows; queue mode stores binary data in the database (table binary_data) unless told otherwise.

QUEUE_DB=n8n
QUEUE_KEY=sora-queue-local-only-not-a-secret
N8N_PIDS=()        # main and workers: stopped first, so they let go of Postgres and Redis
PG_DATA=""; PG_PID=""

# A free port below the ephemeral range (32768+), where outgoing connections could take it before n8n binds it.
free_low_port() {
  "$SYSTEM_NODE" -e "
    const net = require('net');
    const tryPort = () => { const p = 20000 + Math.floor(Math.random() * 12000);
      const s = net.createServer().once('error', tryPort).listen(p, '127.0.0.1', () => { console.log(p); s.close(); }); };
    tryPort();"
}

pg_bindir() {
  local dir
  for dir in "$(command -v pg_ctl 2>/dev/null | xargs -r dirname)" /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && { echo "$dir"; return 0; }
  done
  return 1
}

# PostgreSQL and Redis from Debian packages: installed with apt when root, otherwise a message of what to install.
queue_services_install() {
  if pg_bindir > /dev/null && command -v redis-server > /dev/null && command -v psql > /dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
    echo "queue mode needs PostgreSQL (15 or newer) and Redis: run as root, or install them first:" >&2
    echo "  sudo apt-get install -y postgresql redis-server" >&2
    return 1
  fi
  echo "installing postgresql and redis-server (apt-get) ..."
  { apt-get install -y --no-install-recommends postgresql redis-server \
      || { apt-get update && apt-get install -y --no-install-recommends postgresql redis-server; }; } > "${TMPDIR:-/tmp}/sora-queue-apt.log" 2>&1 \
    || { tail -20 "${TMPDIR:-/tmp}/sora-queue-apt.log" >&2; return 1; }
  pg_bindir > /dev/null && command -v redis-server > /dev/null
}

# start_postgres DIR: a fresh cluster in DIR/pg on a port of its own; sets PG_PORT. As root it runs as user postgres
# (initdb refuses root), so DIR must be reachable by that user.
start_postgres() {
  local dir=$1 bin as=()
  bin=$(pg_bindir) || return 1
  PG_DATA="$dir/pg/data"; PG_PORT=$(free_low_port)
  mkdir -p "$dir/pg/run"
  if [ "$(id -u)" = 0 ]; then chmod 711 "$dir" "$(dirname "$dir")"; chown -R postgres "$dir/pg"; as=(runuser -u postgres --); fi
  # trust on loopback only: a throwaway cluster, listening on 127.0.0.1, deleted after the run
  "${as[@]}" "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 > "$dir/pg/initdb.log" 2>&1 \
    || { tail -5 "$dir/pg/initdb.log"; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DATA" -l "$dir/pg/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $dir/pg/run -c fsync=off -c max_connections=200" start > /dev/null \
    || { tail -20 "$dir/pg/postgres.log"; return 1; }
  PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $QUEUE_DB" postgres
}

# start_redis DIR: sets REDIS_PORT
start_redis() {
  REDIS_PORT=$(free_low_port)
  mkdir -p "$1/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$1/redis" > "$1/redis/redis.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  return 1
}

# queue_env DIR: n8n settings shared by main and workers, with DIR/user as this process's user folder
queue_env() {
  n8n_env "$1"
  export N8N_ENCRYPTION_KEY=$QUEUE_KEY N8N_RUNNERS_BROKER_PORT; N8N_RUNNERS_BROKER_PORT=$(free_low_port)
  export EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT=$REDIS_PORT
  export DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_PORT=$PG_PORT DB_POSTGRESDB_DATABASE=$QUEUE_DB
  export DB_POSTGRESDB_USER=postgres DB_POSTGRESDB_PASSWORD=unused-trust-on-loopback
  export N8N_DEFAULT_BINARY_DATA_MODE=database
  if [ -n "${QUEUE_DB_MAX_MB:-}" ]; then export N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=$QUEUE_DB_MAX_MB; fi
  export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_SECURE_COOKIE=false
}

# install_in USER_DIR PACK_DIR: the package, packed once into PACK_DIR, unpacked into USER_DIR/user's nodes folder
install_in() {
  (N8N_USER_FOLDER="$1/user"; install_package "$2")
}

# start_queue_n8n DIR WORKERS [extra env for workers, "K=V" ...]: main (sets MAIN_URL, MAIN_PID) and workers
# (WORKER_PIDS, WORKER_LOGS); workflows must already be imported and published. Logs in DIR/<name>.log.
start_queue_n8n() {
  local dir=$1 workers=$2 i port
  shift 2
  WORKER_PIDS=(); WORKER_LOGS=()
  port=$(free_low_port)
  (queue_env "$dir/main"; export N8N_PORT=$port; exec n8n start) > "$dir/main.log" 2>&1 &
  MAIN_PID=$!; N8N_PIDS+=("$MAIN_PID"); MAIN_URL="http://127.0.0.1:$port"
  for i in $(seq 1 "$workers"); do start_worker "$dir" "w$i" "$@"; done
  for _ in $(seq 1 400); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$MAIN_URL/healthz/readiness")" = 200 ] && break
    kill -0 "$MAIN_PID" 2>/dev/null || { echo "n8n main exited:"; tail -20 "$dir/main.log"; return 1; }
    sleep 0.3
  done
  for i in $(seq 1 "$workers"); do wait_worker "$dir" "w$i" || return 1; done
}

# start_worker DIR NAME [K=V ...]: one `n8n worker --concurrency=5` with its own user folder and ports
start_worker() {
  local dir=$1 name=$2 health
  shift 2
  health=$(free_low_port)
  (queue_env "$dir/$name"; export QUEUE_HEALTH_CHECK_ACTIVE=true QUEUE_HEALTH_CHECK_PORT=$health N8N_WORKER_SERVER_ADDRESS=127.0.0.1
   for kv in "$@"; do export "${kv?}"; done
   exec n8n worker --concurrency=5) > "$dir/$name.log" 2>&1 &
  N8N_PIDS+=($!); WORKER_PIDS+=($!); WORKER_LOGS+=("$dir/$name.log")
  echo "$health" > "$dir/$name.health-port"
}

wait_worker() {
  local health; health=$(cat "$1/$2.health-port")
  for _ in $(seq 1 400); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/healthz/readiness")" = 200 ] && return 0
    sleep 0.3
  done
  echo "worker $2 not ready:"; tail -20 "$1/$2.log"; return 1
}

# wait_webhook URL: main answers readiness before published webhooks are registered; a GET on a ping webhook tells
wait_webhook() {
  for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.3
  done
  return 1
}

# queue_up DIR WORKERS CREDENTIALS_JSON WORKFLOW_DIR: services, package in every user folder, imports, publishes every
# workflow in WORKFLOW_DIR, starts n8n. The simulator must already run.
queue_up() {
  local dir=$1 workers=$2 i id
  queue_services_install || return 1
  start_postgres "$dir" || { echo "could not start PostgreSQL"; return 1; }
  start_redis "$dir" || { echo "could not start Redis"; return 1; }
  mkdir -p "$dir/pack"
  for i in main $(seq -f 'w%g' 1 "$workers"); do install_in "$dir/$i" "$dir/pack" || { echo "could not install the package for $i"; return 1; }; done
  (queue_env "$dir/main"
   n8n import:credentials --input="$3" > "$dir/import.log" 2>&1 \
     && n8n import:workflow --separate --input="$4" >> "$dir/import.log" 2>&1 \
     && for id in $("$SYSTEM_NODE" -e "for (const f of require('fs').readdirSync('$4')) console.log(require('$4/' + f).id)"); do
          n8n publish:workflow --id="$id" >> "$dir/import.log" 2>&1 || exit 1
        done) || { echo "import/publish failed:"; tail -20 "$dir/import.log"; return 1; }
  start_queue_n8n "$dir" "$workers"
}

# queue_workflows DIR RETRY: the simulator's credential (DIR/credentials.json) and the workflows of the queue runs in
# DIR/workflows (needs SIM_URL, SIM_KEY, WAIT_SECONDS): ping; batch, with n8n's Retry On Fail when RETRY is true,
# otherwise errors as items; cap, errors as items; the shipped long-job-loop example started by a webhook.
queue_workflows() {
  local dir=$1 retry=$2
  mkdir -p "$dir/workflows"
  cat > "$dir/credentials.json" <<JSON
[{"id":"soraQueueCred001","name":"Sora (toapis)","type":"soraApi","data":{"apiFlavor":"toapis","baseUrl":"$SIM_URL","apiKey":"$SIM_KEY"}}]
JSON
  queue_workflow "$dir" ping soraQueuePing001 sora-queue-ping
  queue_workflow "$dir" batch soraQueueBatch01 sora-queue-batch "$retry" "$([ "$retry" = true ] && echo stopWorkflow || echo continueRegularOutput)"
  queue_workflow "$dir" batch soraQueueCap0001 sora-queue-cap false continueRegularOutput
  # A manual run would stay on main: the loop example gets a webhook instead of its Manual Trigger, and a long Wait
  "$SYSTEM_NODE" -e '
    const fs = require("fs"); const [file, out, wait] = process.argv.slice(1);
    const wf = JSON.parse(fs.readFileSync(file, "utf8"));
    wf.id = "soraQueueLoop001";
    const start = wf.nodes.find((n) => n.type === "n8n-nodes-base.manualTrigger");
    Object.assign(start, { type: "n8n-nodes-base.webhook", typeVersion: 2, webhookId: crypto.randomUUID(), parameters: { path: "sora-queue-loop", responseMode: "onReceived", options: {} } });
    for (const n of wf.nodes) {
      if (n.credentials?.soraApi) n.credentials.soraApi = { id: "soraQueueCred001", name: "Sora (toapis)" };
      if (n.type === "n8n-nodes-base.wait") n.parameters.amount = Number(wait);
    }
    fs.writeFileSync(out, JSON.stringify(wf));' "$ROOT/examples/long-job-loop.json" "$dir/workflows/soraQueueLoop001.json" "${WAIT_SECONDS:-70}"
}

# queue_workflow DIR TEMPLATE ID WEBHOOK_PATH [RETRY_ON_FAIL] [ON_ERROR]: e2e/queue/workflows/TEMPLATE into
# DIR/workflows, polling every second
queue_workflow() {
  local dir=$1; shift
  sed -e "s#__WF_ID__#$2#" -e "s#__CRED_ID__#soraQueueCred001#" -e "s#__POLL__#1#" \
    -e "s#\"path\": \"sora-queue-[a-z]*\"#\"path\": \"$3\"#" \
    -e "s#\"webhookId\": \"[^\"]*\"#\"webhookId\": \"$("$SYSTEM_NODE" -p 'crypto.randomUUID()')\"#" \
    -e "s#__RETRY__#${4:-false}#" -e "s#__ON_ERROR__#${5:-stopWorkflow}#" "$ROOT/e2e/queue/workflows/$1.template.json" > "$dir/workflows/$2.json"
}

# batch_run LABEL RUNS ITEMS [more batch-run.mts arguments]: the batch driver against the running n8n and simulator
batch_run() {
  local label=$1 runs=$2 items=$3; shift 3
  "$SYSTEM_NODE" "$ROOT/node_modules/.bin/tsx" "$ROOT/e2e/queue/batch-run.mts" --n8n "$MAIN_URL" --sim "$SIM_URL" --cdn "$SIM_CDN" \
    --runs "$runs" --items "$items" --label "$label" "$@"
}

# Peak and current RSS of a process in MiB: "<VmHWM> <VmRSS>"
rss_of() { awk '/VmHWM/ {h=$2} /VmRSS/ {r=$2} END {printf "%d %d\n", h/1024, r/1024}' "/proc/$1/status" 2>/dev/null; }

queue_cleanup() {
  local p
  for p in "${N8N_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${N8N_PIDS[@]}"; do for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done; kill -9 "$p" 2>/dev/null; done
  cleanup
  # Postgres was started by pg_ctl (not our child): fast shutdown by its PID, then wait until it is gone
  if [ -n "$PG_PID" ]; then
    kill -INT "$PG_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PG_PID" 2>/dev/null || rm -rf "$PG_DATA"   # throwaway data; the logs stay
  fi
}
trap queue_cleanup EXIT
