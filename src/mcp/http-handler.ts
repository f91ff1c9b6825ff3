/**
 * The MCP side of /mcp: Streamable HTTP sessions, each an MCP server over `in-process-ops.ts` bound to
 * the API key that opened it. The Fastify side (`http/routes/mcp.ts`) checks Host, Origin and the
 * key, then hands the raw request here; this file is the only one that knows the SDK transport.
 *
 * Sessions, not stateless requests: resource subscriptions and progress need a server that
 * outlives one POST (notifications go out on the session's GET stream). Sessions live in this
 * process's memory, so several nodes behind a load balancer need affinity on `Mcp-Session-Id`;
 * a client that lands elsewhere gets 404 and re-initialises, as the MCP spec prescribes. A
 * revoked key's sessions are closed (announced on the bus's control channel, and re-checked).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '../core/auth.js';
import type { CoreDeps } from '../core/context.js';
import { isKeyActive, onKeyRevoked } from '../core/keys.js';
import { createInProcessOps } from './in-process-ops.js';
import { createMcpServer } from './server.js';

export interface McpCaller {
  principal: Extract<Principal, { kind: 'user' }>;
  clientKey: string;
}

export interface McpHttpOptions {
  maxWaitSeconds: number;
  /** a session with no request for this long (and no open stream) is closed. */
  idleTimeoutMs?: number;
  /** sessions one key may hold; opening one more closes its least recently used. */
  maxSessionsPerKey?: number;
  /** how often open sessions' keys are re-checked (revocations the bus did not carry). */
  keyRecheckMs?: number;
}

interface Session {
  id: string;
  keyId: string;
  caller: McpCaller;
  transport: StreamableHTTPServerTransport;
  close(): Promise<void>;
  lastSeen: number;
  open: number;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

export function createMcpHttpHandler(deps: CoreDeps, opts: McpHttpOptions) {
  const sessions = new Map<string, Session>();
  const idleMs = opts.idleTimeoutMs ?? 30 * 60_000;
  const perKey = opts.maxSessionsPerKey ?? 32;
  const onUnexpected = (err: unknown) => deps.log.error({ component: 'mcp', err }, 'MCP tool failed');

  const recheckMs = opts.keyRecheckMs ?? 60_000;
  const closeKey = (keyId: string) => {
    for (const s of sessions.values()) if (s.keyId === keyId) void s.close();
  };
  // a revoked key's sessions end at once, whichever node revoked it (core/keys.ts)
  const stopListening = onKeyRevoked(deps, closeKey);
  stopListening.catch((err: unknown) => deps.log.warn({ component: 'mcp', err }, 'not listening for key revocations; sessions rely on the re-check'));

  const reaper = setInterval(() => {
    const now = Date.now();
    for (const s of sessions.values()) if (s.open === 0 && now - s.lastSeen > idleMs) void s.close();
  }, Math.min(idleMs, 60_000));
  reaper.unref();
  // what the bus cannot carry (an outage, `inboxd admin` on the embedded pair) the re-check finds
  const recheck = setInterval(() => {
    for (const keyId of new Set([...sessions.values()].map((s) => s.keyId))) {
      isKeyActive(deps, keyId).then(
        (active) => active || closeKey(keyId),
        () => undefined,
      );
    }
  }, recheckMs);
  recheck.unref();

  const track = (s: Session, res: ServerResponse) => {
    s.lastSeen = Date.now();
    s.open++;
    res.once('close', () => {
      s.open--;
      s.lastSeen = Date.now();
    });
  };

  async function open(req: IncomingMessage, res: ServerResponse, body: unknown, caller: McpCaller): Promise<void> {
    const mine = [...sessions.values()].filter((s) => s.keyId === caller.principal.keyId).sort((a, b) => a.lastSeen - b.lastSeen);
    if (mine.length >= perKey) await mine[0]!.close();

    // the transport names the session only once initialize is handled, so it finds it through `ref`
    const ref: { session?: Session } = {};
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        if (ref.session) {
          ref.session.id = id;
          sessions.set(id, ref.session);
        }
      },
    });
    const ops = createInProcessOps(deps, () => s.caller.principal, () => s.caller.clientKey);
    const server = createMcpServer(ops, { maxWaitSeconds: opts.maxWaitSeconds, onUnexpected });
    let closed = false;
    const s: Session = {
      id: '',
      keyId: caller.principal.keyId,
      caller,
      transport,
      lastSeen: Date.now(),
      open: 0,
      async close() {
        if (closed) return;
        closed = true;
        sessions.delete(this.id);
        await server.close().catch(() => undefined);
      },
    };
    ref.session = s;
    transport.onclose = () => void s.close();
    await server.connect(transport);
    track(s, res);
    await transport.handleRequest(req, res, body);
  }

  return {
    /** one /mcp request from an authenticated key holder. */
    async handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: McpCaller): Promise<void> {
      const header = req.headers['mcp-session-id'];
      const id = Array.isArray(header) ? header[0] : header;
      if (id === undefined) {
        if (req.method === 'POST' && isInitializeRequest(body)) return open(req, res, body, caller);
        return rpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id; start with an initialize request');
      }
      const session = sessions.get(id);
      // another key's session id is as good as an unknown one: nothing to learn from the answer
      if (!session || session.keyId !== caller.principal.keyId) return rpcError(res, 404, -32001, 'Session not found');
      session.caller = caller;
      track(session, res);
      await session.transport.handleRequest(req, res, body);
    },
    /** closes every session (their streams end), for shutdown. */
    async close(): Promise<void> {
      clearInterval(reaper);
      clearInterval(recheck);
      await stopListening.then((stop) => stop()).catch(() => undefined);
      await Promise.all([...sessions.values()].map((s) => s.close()));
    },
    /** open sessions, for tests and metrics. */
    get size(): number {
      return sessions.size;
    },
  };
}

export type McpHttpHandler = ReturnType<typeof createMcpHttpHandler>;
