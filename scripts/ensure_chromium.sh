#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (root only, as on CI).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: install it with 'sudo apt-get install -y chromium' (browser tests need it)." >&2
  exit 1
fi
echo "Installing Chromium for the browser tests (apt-get install chromium)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
