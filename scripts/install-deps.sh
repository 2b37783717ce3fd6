#!/usr/bin/env bash
# The project's dev dependencies, from the lockfile (npm ci), when node_modules is missing or does not hold what
# package-lock.json locks. Compares versions, not file times: a node_modules shared between clones (a symlink)
# is not reinstalled just because a clone's files are newer, nor ever from a clone that links it. Used by `npm test` (scripts/test.sh) and `npm run demo`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -L node_modules ]; then
  # shared with another clone (e.g. a git worktree): installing from this clone's lockfile would change the other's
  echo "install-deps: node_modules is a link to $(readlink node_modules); not reinstalling it from this clone"
  exit 0
fi
if [ -f node_modules/.package-lock.json ] && node -e '
  const fs = require("fs");
  const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
  const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
  // the installed tree leaves out optional packages for other platforms
  const missing = Object.entries(want).filter(([path, p]) => path && !p.optional && have[path]?.version !== p.version);
  process.exit(missing.length ? 1 : 0);'; then
  exit 0
fi
echo "=== npm ci (node_modules missing or not what package-lock.json locks)"
npm ci --no-audit --no-fund --loglevel=error
