#!/usr/bin/env bash
# The Python suites, run by .ci/run after the Node ones (needs `npm run build` first):
#   1. clients/python/tests: the `inboxd` package and its pytest plugin, against a real
#      `inboxd serve` this script starts (free ports, a temporary data directory, an API key made
#      with `inboxd admin`), reached through INBOXD_URL / INBOXD_API_KEY as a user would;
#   2. test/compat: clients this project did not write (smtplib, swaks, the official MCP SDK,
#      httpx), each against servers the suite starts itself (it needs several configurations).
# A venv is made here and every package is installed by name; a missing interpreter, package or
# tool fails loudly. Only the server started here is stopped, by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PYTHON="${INBOXD_PYTHON:-python3}"
VENV="${INBOXD_PY_VENV:-$ROOT/.venv-ci}"
PACKAGES=(httpx pytest pytest-xdist pytest-asyncio mcp hatchling)
# an unreachable index is skipped at once instead of after pip's backoff (minutes per package)
export PIP_RETRIES="${PIP_RETRIES:-1}" PIP_DISABLE_PIP_VERSION_CHECK=1

fail() { echo "FATAL: $*" >&2; exit 1; }

echo "-- interpreter"
command -v "$PYTHON" >/dev/null 2>&1 || fail "no Python interpreter '$PYTHON' (install python3 >= 3.10, or set INBOXD_PYTHON)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || fail "$("$PYTHON" --version 2>&1) is too old: the inboxd package needs Python >= 3.10"
"$PYTHON" --version

echo "-- venv ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || fail "could not create a venv with $PYTHON -m venv (on Debian: apt-get install python3-venv)"
fi
PY="$VENV/bin/python"
# a kept venv that has them all skips pip: every index lookup costs seconds on a machine without PyPI
have() { [ "$("$PY" -m pip show "${PACKAGES[@]}" 2>/dev/null | grep -c '^Name:')" -eq "${#PACKAGES[@]}" ]; }
if ! have; then
  "$PY" -m pip install -qq "${PACKAGES[@]}" || fail "pip could not install ${PACKAGES[*]} by name"
fi
have || fail "a package of ${PACKAGES[*]} is missing from the venv after pip install"

echo "-- the inboxd package: build a wheel, install it"
WHEELS="$(mktemp -d)"
DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WHEELS" "$DATA"
}
trap cleanup EXIT
"$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$WHEELS" ./clients/python || fail "pip wheel could not build clients/python"
WHEEL="$(ls "$WHEELS"/inboxd-*.whl)"
"$PY" -m pip install -q --force-reinstall --no-deps "$WHEEL"
echo "built and installed $(basename "$WHEEL")"

echo "-- swaks (Debian's package)"
bash scripts/ensure-swaks.sh

echo "-- openssl (test certificates)"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing (apt-get install openssl)"

echo "-- inboxd serve for the client suite"
[ -f dist/main.js ] || fail "dist/main.js is missing: run npm run build first"
export INBOXD_DATA_DIR="$DATA" INBOXD_LOG_LEVEL=info
node dist/main.js admin users create --email python-tests@example.com --plan pro >/dev/null
KEY="$(node dist/main.js admin keys create --user python-tests@example.com --name python-tests --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
INBOXD_HTTP_PORT=0 INBOXD_SMTP_PORT=0 node dist/main.js serve >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
READY=""
for _ in $(seq 1 600); do
  if READY="$(grep -m1 '"inboxd ready"' "$DATA/serve.log" 2>/dev/null)"; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/serve.log" >&2; fail "inboxd serve exited before it was ready"; }
  sleep 0.2
done
[ -n "$READY" ] || { cat "$DATA/serve.log" >&2; fail "inboxd serve was not ready within 120 s"; }
unset INBOXD_DATA_DIR INBOXD_LOG_LEVEL
eval "$(printf '%s' "$READY" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
host, port = r["smtp"].rsplit(":", 1)
print("export INBOXD_URL=%s INBOXD_SMTP_HOST=%s INBOXD_SMTP_PORT=%s" % (r["http"], host, port))
')"
export INBOXD_API_KEY="$KEY"
echo "server pid $SERVER_PID at $INBOXD_URL, SMTP $INBOXD_SMTP_HOST:$INBOXD_SMTP_PORT"

# pytest exits 5 when it collected no test: here that means a broken suite, never a pass
run_pytest() {
  local status=0
  "$PY" -m pytest "$@" || status=$?
  if [ "$status" -eq 5 ]; then fail "pytest $* collected no tests"; fi
  return "$status"
}

echo "-- pytest: clients/python"
(cd clients/python && INBOXD_REPO="$ROOT" run_pytest -q -p no:cacheprovider tests)


kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
unset INBOXD_URL INBOXD_API_KEY INBOXD_SMTP_HOST INBOXD_SMTP_PORT

echo "-- pytest: test/compat (smtplib, swaks, the MCP SDK, httpx)"
(cd test/compat && INBOXD_REPO="$ROOT" run_pytest -q -p no:cacheprovider -rxX .)
