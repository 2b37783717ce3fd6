#!/usr/bin/env bash
# npm run demo — generates a video with this package in a real n8n, end to end, and leaves the result in demo-output/:
#   demo-output/<task id>.mp4    the video, as n8n stored it in its binary data
#   demo-output/<task id>.json   the Sora Generate output item (normalized task JSON + the provider's raw answer)
# Without configuration it runs against the embedded Sora simulator (no API key needed). To use a real provider:
#   SORA_API_KEY=sk-... [SORA_API_FLAVOR=toapis|openaiCompatible|azure] [SORA_BASE_URL=...] [SORA_MODEL=sora-2] \
#   [SORA_DURATION=10] [SORA_PROMPT="..."] npm run demo
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\n\033[31mdemo: %s\033[0m\n' "$*" >&2; exit 1; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing the project's dev dependencies (npm ci, about a minute the first time)"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
fi
step "Building the package"
npm run --silent build > /tmp/sora-demo-build.log 2>&1 || { cat /tmp/sora-demo-build.log; die "build failed"; }
step "Preparing n8n 2.41.1 (installed once under ~/.cache/n8n-nodes-sora; about 4 minutes the first time)"
bash e2e/setup-n8n.sh || die "could not install n8n (see above)"

# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"
OUT="${DEMO_OUTPUT:-$ROOT/demo-output}"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/sora-demo.XXXXXX")
mkdir -p "$OUT"
n8n_env "$STATE"
install_package "$STATE" || die "could not pack and install the package into n8n"

if [ -n "${SORA_API_KEY:-}" ]; then
  FLAVOR=${SORA_API_FLAVOR:-toapis}
  BASE=${SORA_BASE_URL:-}
  KEY=$SORA_API_KEY
  POLL=10
  step "Using the real provider: flavor $FLAVOR${BASE:+, $BASE}"
else
  step "Starting the embedded Sora simulator (no API key needed)"
  start_simulator "$STATE" --duration-ms 6000
  FLAVOR=toapis BASE=$SIM_URL KEY=$SIM_KEY POLL=2
  echo "simulator at $SIM_URL"
fi

"$SYSTEM_NODE" -e '
  const [flavor, baseUrl, apiKey] = process.argv.slice(1);
  process.stdout.write(JSON.stringify([{ id: "soraDemoCred0001", name: "Sora API account", type: "soraApi", data: { apiFlavor: flavor, baseUrl, apiKey } }]));
' "$FLAVOR" "$BASE" "$KEY" > "$STATE/credentials.json"
prepare_example "$ROOT/examples/generate-video.json" soraDemoWorkflow1 soraDemoCred0001 "$STATE/workflow.json" "$POLL"
"$SYSTEM_NODE" -e '
  const fs = require("fs"); const [file] = process.argv.slice(1); const wf = JSON.parse(fs.readFileSync(file, "utf8"));
  const node = wf.nodes.find((n) => n.name === "Sora Generate");
  if (process.env.SORA_MODEL) node.parameters.model.value = process.env.SORA_MODEL;
  if (process.env.SORA_MODEL) node.parameters.model.mode = "id";
  if (process.env.SORA_DURATION) node.parameters.duration = Number(process.env.SORA_DURATION);
  if (process.env.SORA_PROMPT) node.parameters.prompt = process.env.SORA_PROMPT;
  fs.writeFileSync(file, JSON.stringify(wf));
' "$STATE/workflow.json"
rm -f "$STATE/credentials.json.bak"
step "Importing the credential and examples/generate-video.json into n8n"
n8n import:credentials --input="$STATE/credentials.json" > "$STATE/import.log" 2>&1 || { tail -20 "$STATE/import.log"; die "import:credentials failed"; }
rm -f "$STATE/credentials.json"
n8n import:workflow --input="$STATE/workflow.json" > "$STATE/import.log" 2>&1 || { tail -20 "$STATE/import.log"; die "import:workflow failed"; }

step "Running the workflow: Start → Sora Generate (wait for completion, download the video)"
t0=$(date +%s)
run_workflow soraDemoWorkflow1 "$STATE" &
RUN=$!
while kill -0 "$RUN" 2>/dev/null; do
  sleep 2
  progress=""
  if [ -n "${SIM_URL:-}" ]; then
    progress=$(curl -s "$SIM_URL/__sim/state" | "$SYSTEM_NODE" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{try{const t=JSON.parse(s).tasks.at(-1);if(t)console.log(t.id+': '+t.status+', '+t.reads+' status reads')}catch{}})" 2>/dev/null)
  fi
  kill -0 "$RUN" 2>/dev/null && printf '  %3ss  %s\n' "$(( $(date +%s) - t0 ))" "${progress:-waiting for n8n ...}"
done
wait "$RUN"; rc=$?

"$SYSTEM_NODE" -e '
  const fs = require("fs"); const path = require("path");
  const [resultFile, userFolder, outDir] = process.argv.slice(1);
  let result;
  try { result = JSON.parse(fs.readFileSync(resultFile, "utf8")); } catch { process.exit(3); }
  const run = result.data.resultData.runData["Sora Generate"]?.[0];
  const error = result.data.resultData.error;
  if (!run || !run.data) { console.error("Sora Generate failed: " + (error?.message ?? "no output") + (error?.description ? "\n" + error.description : "")); process.exit(2); }
  const item = run.data.main[0][0];
  const id = item.json.id;
  fs.writeFileSync(path.join(outDir, id + ".json"), JSON.stringify(item.json, null, 2) + "\n");
  const binary = item.binary?.video;
  if (!binary) { console.log("task " + id + " is " + item.json.status + " (no video)"); process.exit(2); }
  const rel = binary.id.replace(/^filesystem(-v2)?:/, "");
  const src = [path.join(userFolder, ".n8n", "binaryData", rel), path.join(userFolder, ".n8n", "storage", rel)].find(fs.existsSync);
  fs.copyFileSync(src, path.join(outDir, id + ".mp4"));
  console.log("task " + id + ": " + item.json.status + ", " + binary.fileSize + " " + binary.mimeType);
  console.log("video: demo-output/" + id + ".mp4");
  console.log("task JSON: demo-output/" + id + ".json");
' "$STATE/soraDemoWorkflow1.result.json" "$N8N_USER_FOLDER" "$OUT"
status=$?
[ $rc -eq 0 ] && [ $status -eq 0 ] || { grep -o '"message":"[^"]*' "$STATE/soraDemoWorkflow1.out" | tail -3; die "the workflow did not produce a video (logs: $STATE)"; }
step "Done in $(( $(date +%s) - t0 )) s. Open the MP4 in demo-output/ with any video player."
