#!/usr/bin/env bash
# The GitHub Action's collect step (action.yml, `collect: true`): exports every caught message
# (GET /api/v1/mailboxes/export: on a development server's loopback, the unowned caught mail) to
# a file for actions/upload-artifact, then stops the server and keeps its log beside the mail.
#
#   INBOXD_URL, INBOXD_ACTION_PID, INBOXD_ACTION_DIR   from the start step (GITHUB_ENV)
#   INBOXD_ACTION_FORMAT                                zip (default) or mbox
# Writes `path=<folder>` to GITHUB_OUTPUT.
set -euo pipefail
FORMAT="${INBOXD_ACTION_FORMAT:-zip}"
case "$FORMAT" in zip|mbox) ;; *) echo "::error::format must be zip or mbox, not '$FORMAT'"; exit 1 ;; esac
: "${INBOXD_URL:?INBOXD_URL is not set: did the start step run?}"
DIR="${INBOXD_ACTION_DIR:?INBOXD_ACTION_DIR is not set: did the start step run?}"
OUT="$DIR/artifact"
mkdir -p "$OUT"

STATUS="$(curl -sS -o "$OUT/inboxd-mail.$FORMAT" -w '%{http_code}' "$INBOXD_URL/api/v1/mailboxes/export?format=$FORMAT" || echo 000)"
if [ "$STATUS" != 200 ]; then
  echo "::warning::the export answered $STATUS (is Inboxd still running? its log is in the artifact)"
  rm -f "$OUT/inboxd-mail.$FORMAT"
else
  echo "exported the caught mail: $OUT/inboxd-mail.$FORMAT ($(wc -c < "$OUT/inboxd-mail.$FORMAT") bytes)"
fi

if [ -n "${INBOXD_ACTION_PID:-}" ] && kill -0 "$INBOXD_ACTION_PID" 2>/dev/null; then
  kill -TERM "$INBOXD_ACTION_PID"
  for _ in $(seq 1 60); do kill -0 "$INBOXD_ACTION_PID" 2>/dev/null || break; sleep 0.5; done
fi
cp "$DIR/serve.log" "$OUT/serve.log" 2>/dev/null || true
echo "path=$OUT" >> "${GITHUB_OUTPUT:-/dev/null}"
