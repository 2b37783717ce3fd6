#!/usr/bin/env bash
# The whole test suite, as CI runs it: install (when needed), build, lint (strict, Cloud rules), type-check the
# tests, unit tests against the Sora simulator, then the end-to-end tests in a real n8n 2.41.1 (regular and queue mode).
#   npm test                  everything
#   SKIP_E2E=1 npm test       without the real-n8n part (about a minute faster on a warm machine)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n=== %s\n' "$*"; }
t0=$(date +%s)

# A clean install from the lockfile, as CI does, whenever node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

step "lockfile installs on every platform"
node scripts/check-lock.mjs

step "build (n8n-node build)"
npm run --silent build > /tmp/sora-build.log 2>&1 || { cat /tmp/sora-build.log; exit 1; }
echo "dist/ built"

step "lint (n8n-node lint, strict mode)"
npm run --silent lint

step "formatting (prettier --check)"
npx prettier --check nodes credentials test

step "imports in nodes/ point down the layers (docs/architecture.md)"
node scripts/check-layers.mjs

step "n8n's community package scanner, on the source and the packed files"
node scripts/scan-package.mjs

step "type-check tests, simulator and scripts"
npx tsc --noEmit -p tsconfig.test.json
echo "ok"

step "unit tests (vitest, against the Sora simulator)"
t1=$(date +%s)
REPORT=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile="$REPORT"
t2=$(date +%s)
unit=$(node -e "const r=JSON.parse(require('fs').readFileSync('$REPORT','utf8'));console.log(r.numPassedTests+' '+r.numFailedTests)")
echo "unit tests: $((t2-t1)) s"

e2e_pass=0; e2e_fail=0
if [ "${SKIP_E2E:-0}" != 1 ]; then
  step "end-to-end in a real n8n"
  E2E_LOG=$(mktemp)
  bash e2e/run-e2e.sh 2>&1 | tee "$E2E_LOG"
  read -r e2e_pass e2e_fail < <(tail -1 "$E2E_LOG" | awk '{print $1, $3}')
  [ "$e2e_fail" = 0 ] || { echo "end-to-end failures"; exit 1; }

  step "Sora Generate as an AI-agent tool, in a real n8n (examples/chat-to-video.json, scripted model)"
  AGENT_LOG=$(mktemp)
  bash e2e/agent/run-agent.sh 2>&1 | tee "$AGENT_LOG"
  read -r agent_pass agent_fail < <(tail -1 "$AGENT_LOG" | awk '{print $1, $3}')
  e2e_pass=$((e2e_pass + agent_pass)); e2e_fail=$((e2e_fail + agent_fail))
  [ "$agent_fail" = 0 ] || { echo "AI-agent test failures"; exit 1; }

  step "event-driven pipeline in a real n8n (Sora Trigger, signed toapis webhooks)"
  HOOKS_LOG=$(mktemp)
  bash e2e/webhooks.sh 2>&1 | tee "$HOOKS_LOG"
  read -r hooks_pass hooks_fail < <(tail -1 "$HOOKS_LOG" | awk '{print $1, $3}')
  e2e_pass=$((e2e_pass + hooks_pass)); e2e_fail=$((e2e_fail + hooks_fail))
  [ "$hooks_fail" = 0 ] || { echo "webhook end-to-end failures"; exit 1; }

  step "npm run demo (the README's first command), into a temporary folder"
  DEMO_DIR=$(mktemp -d)
  if DEMO_OUTPUT="$DEMO_DIR" bash scripts/demo.sh > "$DEMO_DIR/demo.log" 2>&1 && ls "$DEMO_DIR"/*.mp4 > /dev/null 2>&1 && ls "$DEMO_DIR"/*.json > /dev/null 2>&1; then
    echo "PASS: demo left $(basename "$(ls "$DEMO_DIR"/*.mp4)") and its task JSON"; e2e_pass=$((e2e_pass + 1))
  else
    tail -30 "$DEMO_DIR/demo.log"; echo "FAIL: npm run demo"; exit 1
  fi

  step "queue mode in a real n8n (PostgreSQL, Redis, main + 2 workers; reduced: 4 x 5 items, burst 10, 16 MiB cap, loop)"
  QUEUE_LOG=$(mktemp)
  QUEUE_RUNS=4 QUEUE_ITEMS=5 QUEUE_RATE_LIMIT=5,10,50,500 QUEUE_DB_MAX_MB=16 QUEUE_CASES=scale,cap,loop \
    bash e2e/queue/run-queue.sh 2>&1 | tee "$QUEUE_LOG"
  read -r queue_pass queue_fail < <(tail -1 "$QUEUE_LOG" | awk '{print $1, $3}')
  e2e_pass=$((e2e_pass + ${queue_pass:-0})); e2e_fail=$((e2e_fail + ${queue_fail:-1}))
  [ "${queue_fail:-1}" = 0 ] || { echo "queue-mode failures"; exit 1; }
fi
echo "test suite wall time: $(( $(date +%s) - t0 )) s"
read -r unit_pass unit_fail <<< "$unit"
echo "total: $((unit_pass + e2e_pass)) passed, $((unit_fail + e2e_fail)) failed"
