#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/web) when it is missing. Playwright's
# own browser download is never used: `playwright-core` drives this system binary.
set -euo pipefail
CHROMIUM="${INBOXD_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present at "$CHROMIUM")"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium missing at $CHROMIUM and apt-get is not available: install Chromium and set INBOXD_CHROMIUM" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "chromium missing at $CHROMIUM: installing Debian's package"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
"$CHROMIUM" --version
