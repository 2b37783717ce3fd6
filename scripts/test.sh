#!/usr/bin/env bash
# The whole test suite, as CI runs it: install (when needed), build, lint (strict, Cloud rules), type-check the
# tests, unit tests against the Sora simulator, then the end-to-end test in a real n8n 2.41.1.
#   npm test                  everything
#   SKIP_E2E=1 npm test       without the real-n8n part (about a minute faster on a warm machine)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n=== %s\n' "$*"; }
t0=$(date +%s)

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm install"
  npm install --no-audit --no-fund --loglevel=error
fi

step "build (n8n-node build)"
npm run --silent build > /tmp/sora-build.log 2>&1 || { cat /tmp/sora-build.log; exit 1; }
echo "dist/ built"

step "lint (n8n-node lint, strict mode)"
npm run --silent lint

step "type-check tests, simulator and scripts"
npx tsc --noEmit -p tsconfig.test.json
echo "ok"

step "unit tests (vitest, against the Sora simulator)"
t1=$(date +%s)
npx vitest run
t2=$(date +%s)
echo "unit tests: $((t2-t1)) s"

if [ "${SKIP_E2E:-0}" != 1 ]; then
  step "end-to-end in a real n8n"
  bash e2e/run-e2e.sh
fi
echo "test suite wall time: $(( $(date +%s) - t0 )) s"
