/**
 * `inboxd mcp`: an MCP server on stdio for an AI agent, as a client of an Inboxd server
 * (INBOXD_URL, default http://127.0.0.1:8025; INBOXD_API_KEY required). stdout carries only the
 * protocol; anything for a person goes to stderr. Runs until stdin closes.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createRemoteOps } from '../mcp/remote-ops.js';
import { createMcpServer } from '../mcp/server.js';
import { MCP_USAGE } from './help.js';

export async function mcp(argv: string[]): Promise<number> {
  let url = process.env.INBOXD_URL || 'http://127.0.0.1:8025';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stderr.write(MCP_USAGE + '\n');
      return 0;
    }
    if (a === '--url' && argv[i + 1]) url = argv[++i]!;
    else if (a.startsWith('--url=')) url = a.slice(6);
    else {
      process.stderr.write(`inboxd mcp: unknown argument ${JSON.stringify(a)}\n${MCP_USAGE}\n`);
      return 2;
    }
  }
  const apiKey = process.env.INBOXD_API_KEY;
  if (!apiKey) {
    process.stderr.write(`inboxd mcp: INBOXD_API_KEY is not set (create one with: inboxd admin keys create --user you@example.com)\n${MCP_USAGE}\n`);
    return 2;
  }
  try {
    new URL(url);
  } catch {
    process.stderr.write(`inboxd mcp: INBOXD_URL is not a URL: ${JSON.stringify(url)}\n`);
    return 2;
  }

  const server = createMcpServer(createRemoteOps({ baseUrl: url, apiKey }), {
    onUnexpected: (err) => process.stderr.write(`inboxd mcp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    // the host ends the session by closing our stdin
    process.stdin.once('end', () => void server.close().then(resolve, resolve));
  });
  await server.connect(transport);
  process.stderr.write(`inboxd mcp: serving on stdio for ${url}\n`);
  await closed;
  // open sockets (a subscription's WebSocket, a wait in flight) must not keep the process alive
  process.exit(0);
}
