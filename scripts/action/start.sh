#!/usr/bin/env bash
# The GitHub Action's start step (action.yml): builds Inboxd from the action's checkout when it is
# not built, starts `inboxd serve` in the background in development mode (catch-all for any
# address, SMTP AUTH accepting anything) on 127.0.0.1, waits for /health, and exports where it is.
#
#   INBOXD_ACTION_HTTP_PORT / INBOXD_ACTION_SMTP_PORT   ports (default 8025 / 2525)
#   GITHUB_ENV, GITHUB_OUTPUT, RUNNER_TEMP               as GitHub sets them (any files and folder elsewhere)
# Exports INBOXD_URL, INBOXD_SMTP_HOST, INBOXD_SMTP_PORT, INBOXD_ACTION_PID, INBOXD_ACTION_DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HTTP_PORT="${INBOXD_ACTION_HTTP_PORT:-8025}"
SMTP_PORT="${INBOXD_ACTION_SMTP_PORT:-2525}"
DIR="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/inboxd-action"
mkdir -p "$DIR"

if [ ! -f "$ROOT/dist/main.js" ] || [ ! -f "$ROOT/sdk/dist/index.js" ]; then
  echo "building Inboxd in $ROOT"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error && npm run build >/dev/null)
fi

URL="http://127.0.0.1:$HTTP_PORT"
INBOXD_ENV=development INBOXD_CATCH_ALL=any INBOXD_SMTP_AUTH=any \
INBOXD_HTTP_HOST=127.0.0.1 INBOXD_SMTP_HOST=127.0.0.1 INBOXD_HTTP_PORT="$HTTP_PORT" INBOXD_SMTP_PORT="$SMTP_PORT" \
INBOXD_DATA_DIR="$DIR/data" \
  nohup node "$ROOT/dist/main.js" serve > "$DIR/serve.log" 2>&1 &
PID=$!

for _ in $(seq 1 120); do
  if curl -fsS "$URL/health" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$DIR/serve.log" >&2; echo "::error::Inboxd exited while starting (log above)"; exit 1; fi
  sleep 0.5
done
curl -fsS "$URL/health" > /dev/null || { cat "$DIR/serve.log" >&2; echo "::error::Inboxd did not answer $URL/health within 60 s"; exit 1; }

{
  echo "INBOXD_URL=$URL"
  echo "INBOXD_SMTP_HOST=127.0.0.1"
  echo "INBOXD_SMTP_PORT=$SMTP_PORT"
  echo "INBOXD_ACTION_PID=$PID"
  echo "INBOXD_ACTION_DIR=$DIR"
} >> "${GITHUB_ENV:-/dev/null}"
{
  echo "url=$URL"
  echo "smtp-host=127.0.0.1"
  echo "smtp-port=$SMTP_PORT"
} >> "${GITHUB_OUTPUT:-/dev/null}"
echo "Inboxd is up: $URL (SMTP 127.0.0.1:$SMTP_PORT, catch-all for any address), pid $PID"
