#!/usr/bin/env bash
# Installs Debian's swaks (the SMTP test tool the compatibility suite drives) when it is missing.
set -euo pipefail
if command -v swaks >/dev/null 2>&1; then
  echo "swaks: $(swaks --version 2>/dev/null | head -1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "swaks is missing and apt-get is not available: install swaks" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "swaks missing: installing Debian's package"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends swaks libnet-ssleay-perl libio-socket-ssl-perl >/dev/null
swaks --version | head -1
