#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
# Exits non-zero when Chromium is missing and cannot be installed, so CI cannot go on without it.
set -euo pipefail
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"  # where Debian installs it (tests name a missing file)
if [ -x "$CHROMIUM_BIN" ]; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
if [ ! -x "$CHROMIUM_BIN" ]; then
  echo "error: Debian's chromium is not installed and could not be installed (not root, no passwordless sudo)." >&2
  echo "       run: sudo apt-get install chromium fonts-noto-cjk" >&2
  exit 1
fi
