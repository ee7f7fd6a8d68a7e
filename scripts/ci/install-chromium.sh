#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (test/e2e/web.e2e.test.ts), only if it is missing.
# playwright-core drives it at /usr/bin/chromium; nothing downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
