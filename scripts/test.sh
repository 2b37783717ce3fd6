#!/usr/bin/env bash
# The whole test suite, as CI runs it: install (when needed), build, lint (strict, Cloud rules), type-check the
# tests, unit tests against the Sora simulator, then the end-to-end suites in a real n8n 2.41.1 (vitest, one n8n at a
# time: regular mode, AI agent, signed webhooks, `npm run demo`, queue mode reduced) and the smoke suite on 2.41.1 and
# 1.123.81. Ends with one line
# "total: N passed, N failed" summed from vitest's JSON reports; exit non-zero on any failure.
#   npm test                  everything
#   SKIP_E2E=1 npm test       without the real-n8n part
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n=== %s\n' "$*"; }
t0=$(date +%s)

bash scripts/install-deps.sh

# n8n 1.123's runtime (a private Node 24 and n8n, 5-10 minutes cold) installs in the background while the checks,
# the unit tests and the first 2.41 suites run; its suites wait for it (e2e/setup-n8n.sh takes a lock per runtime).
SETUP_1X_LOG=$(mktemp)
if [ "${SKIP_E2E:-0}" != 1 ]; then
  N8N_VERSION=1.123.81 bash e2e/setup-n8n.sh > "$SETUP_1X_LOG" 2>&1 &
  SETUP_1X_PID=$!
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

step "type-check tests, simulator, e2e harness and scripts"
npx tsc --noEmit -p tsconfig.test.json
echo "ok"

REPORTS=$(mktemp -d)
rc=0
step "unit tests (vitest, against the Sora simulator)"
t1=$(date +%s)
npx vitest run --reporter=default --reporter=json --outputFile="$REPORTS/unit.json" || rc=1
echo "unit tests: $(( $(date +%s) - t1 )) s"

if [ "${SKIP_E2E:-0}" != 1 ] && [ $rc = 0 ]; then
  step "end-to-end in a real n8n 2.41.1 (e2e/suites: regular, AI agent, webhooks, demo, queue mode reduced, a new-api host, paid work under crashes and Retry, the callback wait) and on n8n 1.123.81 the smoke suite and the callback wait"
  bash e2e/setup-n8n.sh
  t2=$(date +%s)
  npx vitest run -c vitest.e2e.config.mts --reporter=default --reporter=json --outputFile="$REPORTS/e2e.json" || rc=1
  echo "end-to-end: $(( $(date +%s) - t2 )) s"
fi
if [ -n "${SETUP_1X_PID:-}" ]; then
  wait "$SETUP_1X_PID" || { echo "the n8n 1.123.81 runtime did not install:"; tail -30 "$SETUP_1X_LOG"; rc=1; }
  echo "n8n 1.123.81 runtime (installed in the background): $(tail -1 "$SETUP_1X_LOG")"
fi

echo "test suite wall time: $(( $(date +%s) - t0 )) s"
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.success || r.numFailedTests ? 0 : 1); // a suite that failed outside its tests counts once
  }
  console.log(`total: ${passed} passed, ${failed} failed`);' "$REPORTS/unit.json" "$REPORTS/e2e.json"
exit $rc
