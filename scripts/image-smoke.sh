#!/usr/bin/env bash
# Drives a running Inboxd the way a user of the image would: SMTP in from outside, REST, then the
# CLI (`create`, `wait`, `read`) and the stdio MCP server run by the same `inboxd` as the server.
#
#   SMOKE_EXEC   what runs a command beside the server (default: `docker exec -i inboxd-smoke`;
#                empty for a local server)
#   SMOKE_BIN    the `inboxd` executable there (default `inboxd`; `node dist/main.js` for a local build)
#   SMOKE_HTTP   the server's HTTP URL as seen from here (default http://127.0.0.1:8025)
#   SMOKE_SMTP_PORT  its SMTP port as seen from here (default 2525)
# Exits non-zero, naming the step, on the first thing that does not work.
set -euo pipefail
EXEC="${SMOKE_EXEC-docker exec -i inboxd-smoke}"
BIN="${SMOKE_BIN:-inboxd}"
RUN="$EXEC $BIN"
HTTP="${SMOKE_HTTP:-http://127.0.0.1:8025}"
SMTP_PORT="${SMOKE_SMTP_PORT:-2525}"
step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

step "health"
for _ in $(seq 1 60); do
  if curl -fsS "$HTTP/health" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "$HTTP/health" || fail "health never answered at $HTTP/health"
echo

step "create (CLI)"
ADDR="$($RUN create --ttl 10 | head -n 1)"
[[ "$ADDR" == *@* ]] || fail "create printed no address: $ADDR"
echo "$ADDR"

step "SMTP in"
python3 - "$ADDR" "$SMTP_PORT" <<'PY' || fail "SMTP delivery"
import smtplib, sys
from email.message import EmailMessage
addr, port = sys.argv[1], int(sys.argv[2])
msg = EmailMessage()
msg["From"] = "noreply@example.com"
msg["To"] = addr
msg["Subject"] = "Your code"
msg.set_content("Your verification code is 482913.")
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    s.send_message(msg)
PY

step "wait (CLI)"
CODE="$($RUN wait "$ADDR" --code --timeout 30)"
[ "$CODE" = "482913" ] || fail "wait --code printed '$CODE'"
echo "$CODE"

step "read (CLI) and REST"
$RUN read "$ADDR" --json | grep -q '"subject": *"Your code"' || fail "read --json did not show the message"
curl -fsS "$HTTP/api/v1/domains" >/dev/null || fail "REST /api/v1/domains"

step "admin: a user and an API key (for the MCP server)"
$RUN admin users create --email smoke@example.com >/dev/null || fail "admin users create"
KEY="$($RUN admin keys create --user smoke@example.com --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')" || fail "admin keys create"

step "mcp (stdio)"
OUT="$(printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
  | timeout 60 $EXEC env INBOXD_API_KEY="$KEY" $BIN mcp)" || true
echo "$OUT" | grep -q '"wait_for_message"' || fail "inboxd mcp did not list its tools: $OUT"
echo "image smoke: every step passed"
