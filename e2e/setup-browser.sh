#!/usr/bin/env bash
# Debian's Chromium for the editor test (playwright-core drives it; nothing is downloaded by Playwright itself).
set -euo pipefail
# CHROMIUM_PATH may point at another Chromium-based browser (e.g. google-chrome on GitHub's runners).
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then "$CHROMIUM_PATH" --version; exit 0; fi
command -v chromium > /dev/null && { chromium --version; exit 0; }
if [ "$(id -u)" != 0 ]; then
  echo "setup-browser: chromium is missing; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "setup-browser: installing Debian's chromium (about a minute) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium > /dev/null 2>&1 \
  || { apt-get update > /dev/null && apt-get install -y --no-install-recommends chromium > /dev/null; }
chromium --version
