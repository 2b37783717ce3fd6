#!/usr/bin/env bash
# PostgreSQL and Redis from Debian packages, for n8n in queue mode (e2e/harness/n8n.mts runs this when they are
# missing). Installs with apt-get when root; otherwise says what to install. Idempotent.
set -uo pipefail
pg_ok() { ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1 && command -v psql > /dev/null; }
if pg_ok && command -v redis-server > /dev/null && command -v redis-cli > /dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
  echo "queue mode needs PostgreSQL (15 or newer) and Redis: run as root, or install them first:" >&2
  echo "  sudo apt-get install -y postgresql redis-server" >&2
  exit 1
fi
echo "installing postgresql and redis-server (apt-get) ..."
LOG=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
{ apt-get install -y --no-install-recommends postgresql redis-server \
    || { apt-get update && apt-get install -y --no-install-recommends postgresql redis-server; }; } > "$LOG" 2>&1 \
  || { tail -20 "$LOG" >&2; exit 1; }
pg_ok && command -v redis-server > /dev/null
