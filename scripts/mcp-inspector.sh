#!/usr/bin/env bash
# Checks the MCP server with the official MCP Inspector CLI, both transports: tools/list and one
# tools/call over stdio (`inboxd mcp`), then tools/list over Streamable HTTP (/mcp).
# Needs a running Inboxd and an API key:  INBOXD_URL=http://127.0.0.1:8025 INBOXD_API_KEY=ibx_… bash scripts/mcp-inspector.sh
# The Inspector comes from npm through npx (network on first use); INSPECTOR picks the version.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${INBOXD_API_KEY:?set INBOXD_API_KEY (inboxd admin keys create --user you@example.com)}"
URL="${INBOXD_URL:-http://127.0.0.1:8025}"
INSPECTOR="${INSPECTOR:-@modelcontextprotocol/inspector@2.12.0}"
inspect() { npx --yes "$INSPECTOR" --cli "$@"; }
stdio=(-e "INBOXD_URL=$URL" -e "INBOXD_API_KEY=$INBOXD_API_KEY" node --import tsx src/main.ts mcp)

echo "== stdio: tools/list"
inspect "${stdio[@]}" --method tools/list | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tools.map(t=>t.name).join(" ")))'
echo "== stdio: tools/call list_mailboxes"
inspect "${stdio[@]}" --method tools/call --tool-name list_mailboxes
echo "== http: tools/list"
inspect "$URL/mcp" --transport http --header "Authorization: Bearer $INBOXD_API_KEY" --method tools/list \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tools.map(t=>t.name).join(" ")))'
