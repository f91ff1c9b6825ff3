#!/usr/bin/env bash
# The package as a user installs it: `npm pack` this checkout (built), install the tarball in an
# empty project with one command, then drive what that install gives: the server (`inboxd serve`),
# the CLI and the stdio MCP server (scripts/image-smoke.sh against it), and the `inboxd/testing`,
# `inboxd/sdk` and `inboxd/playwright` entry points. Run by .ci/run after the build.
#
#   PACK_SMOKE_HTTP_PORT / PACK_SMOKE_SMTP_PORT   the served ports (default 18025 / 18525)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HTTP_PORT="${PACK_SMOKE_HTTP_PORT:-18025}"
SMTP_PORT="${PACK_SMOKE_SMTP_PORT:-18525}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/inboxd-pack-smoke.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

[ -f "$ROOT/dist/testing/index.js" ] && [ -f "$ROOT/sdk/dist/index.js" ] && [ -f "$ROOT/web/dist/index.html" ] \
  || fail "build first (npm run build): dist/, sdk/dist/ and web/dist/ are packed as they are"

echo "== npm pack"
TARBALL="$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -n 1)"
tar tzf "$WORK/$TARBALL" > "$WORK/files.txt"
grep -qx 'package/node_modules/@inboxd/sdk/dist/index.js' "$WORK/files.txt" || fail "the SDK is not bundled in $TARBALL"
grep -qx 'package/LICENSE' "$WORK/files.txt" || fail "no LICENSE in $TARBALL"

echo "== npm install ./$TARBALL (the one documented command)"
mkdir "$WORK/app"
cd "$WORK/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$WORK/$TARBALL" >/dev/null

echo "== inboxd/testing, inboxd/sdk and inboxd/playwright resolve; startInboxd() takes mail and reads its code"
cat > smoke.mjs <<'JS'
import { connect } from 'node:net';
import { startInboxd } from 'inboxd/testing';
import { Inboxd, isInboxdError } from 'inboxd/sdk';

if (typeof Inboxd !== 'function' || typeof isInboxdError !== 'function') throw new Error('inboxd/sdk exports are missing');
// resolving is enough here: @playwright/test is an optional peer the smoke project does not install
import.meta.resolve('inboxd/playwright');

/** a plain SMTP client: the app under test would use Nodemailer; the smoke project installs nothing else. */
function sendMail({ host, port }, to, body) {
  const lines = ['EHLO smoke', 'MAIL FROM:<shop@example.com>', `RCPT TO:<${to}>`, 'DATA', body.replace(/\n/g, '\r\n') + '\r\n.', 'QUIT'];
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (/^\d{3}-/.test(line)) continue; // a multi-line reply goes on
        if (!/^[23]/.test(line)) return reject(new Error(`SMTP refused: ${line}`));
        const next = lines.shift();
        if (next === undefined) return socket.end(), resolve(line);
        socket.write(next + '\r\n');
      }
    });
    socket.on('error', reject);
  });
}

const inboxd = await startInboxd();
try {
  const mailbox = await inboxd.client.createMailbox({ ttlMinutes: 5 });
  await sendMail(inboxd.smtp, mailbox.address, `From: shop@example.com\nTo: ${mailbox.address}\nSubject: Your code\n\nYour code is 482913.`);
  const message = await mailbox.waitForMessage({ subject: 'Your code', timeoutMs: 15_000 });
  if (message.codes[0]?.value !== '482913') throw new Error(`no code: ${JSON.stringify(message.codes)}`);
  console.log(`startInboxd(): ${mailbox.address} got code ${message.codes[0].value}`);
} finally {
  await inboxd.stop();
}
JS
node smoke.mjs || fail "inboxd/testing"

echo "== inboxd serve from the install, then the CLI and stdio MCP against it"
export INBOXD_TOKEN_FILE="$WORK/tokens.json" INBOXD_DATA_DIR="$WORK/data" INBOXD_HTTP_PORT="$HTTP_PORT" INBOXD_SMTP_PORT="$SMTP_PORT" INBOXD_URL="http://127.0.0.1:$HTTP_PORT" INBOXD_LOG_LEVEL=warn
INBOXD="$WORK/app/node_modules/.bin/inboxd"
"$INBOXD" --version || fail "inboxd --version"
# the server itself (not an npx wrapper) is the background job, so the trap ends it
"$INBOXD" serve > "$WORK/serve.log" 2>&1 &
SERVER_PID=$!
SMOKE_EXEC="" SMOKE_BIN="$INBOXD" SMOKE_HTTP="$INBOXD_URL" SMOKE_SMTP_PORT="$SMTP_PORT" bash "$ROOT/scripts/image-smoke.sh" \
  || { tail -n 50 "$WORK/serve.log" >&2; fail "the installed server, CLI or MCP (above)"; }
echo "pack smoke: every step passed"
