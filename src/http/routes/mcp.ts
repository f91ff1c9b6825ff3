/**
 * POST/GET/DELETE /mcp: the Streamable HTTP entry of the MCP server. This file does the HTTP
 * part — Host and Origin against an allow-list (DNS rebinding), `Authorization: Bearer <API key>`
 * (anonymous callers and session tokens get 401) — then hands the raw request to the MCP handler
 * it is given (`mcp/http-handler.ts`, injected by roles.ts: an edge never imports another).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { isApiKey } from '../../core/tokens.js';
import { sendError } from '../errors.js';
import { clientKey } from '../request.js';

/** what /mcp needs from the MCP side (structural, so http/ does not import mcp/). */
export interface McpEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: { principal: Extract<Principal, { kind: 'user' }>; clientKey: string }): Promise<void>;
  close(): Promise<void>;
}

const hostName = (ip: string) => (isIP(ip) === 6 ? `[${ip.replace(/^::ffff:(?=\d+\.)/i, '')}]` : ip);

/**
 * Host must name this server as it was reached (loopback names or the local address, with the
 * port the connection came in on) or a host of `allowed_origins`; Origin, when sent, must be one
 * of `allowed_origins` or an allowed host itself.
 */
function hostAndOriginAllowed(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const port = request.socket.localPort;
  const local = request.socket.localAddress;
  const names = ['127.0.0.1', 'localhost', '[::1]', ...(local ? [hostName(local), hostName(local.replace(/^::ffff:/i, ''))] : [])];
  const hosts = new Set(names.flatMap((n) => (port === 80 ? [n, `${n}:80`] : [`${n}:${port}`])));
  const origins = new Set<string>();
  for (const o of allowedOrigins) {
    if (o === '*') continue; // a wildcard is never an allow-list for a credentialed tool endpoint
    try {
      const u = new URL(o);
      origins.add(u.origin.toLowerCase());
      hosts.add(u.host.toLowerCase());
    } catch {
      // not a URL: config validation reports it; nothing to allow here
    }
  }
  const host = (request.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return origins.has(u.origin.toLowerCase()) || (hosts.has(u.host.toLowerCase()) && (u.protocol === 'http:' || u.protocol === 'https:'));
  } catch {
    return false;
  }
}

export function mcpRoutes(app: FastifyInstance, deps: CoreDeps, endpoint: McpEndpoint | undefined, allowedOrigins: readonly string[]): void {
  if (!endpoint) return;
  app.addHook('preClose', async () => endpoint.close());

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAndOriginAllowed(request, allowedOrigins)) {
      return sendError(reply, 'forbidden', 'Host or Origin not allowed for /mcp (add the origin to INBOXD_ALLOWED_ORIGINS)');
    }
    const auth = request.headers.authorization;
    const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : '';
    if (!bearer || !isApiKey(bearer)) {
      reply.header('WWW-Authenticate', 'Bearer realm="inboxd"');
      return sendError(reply, 'unauthorized', '/mcp needs an API key: Authorization: Bearer <key> (session tokens are not accepted)');
    }
    const principal: Principal = await authenticate(deps, { bearer });
    if (principal.kind !== 'user') return sendError(reply, 'unauthorized', '/mcp needs an API key');
    reply.hijack();
    try {
      await endpoint.handle(request.raw, reply.raw, request.body, { principal, clientKey: clientKey(request.ip) });
    } catch (err) {
      request.log.error({ err, component: 'mcp' }, 'MCP request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal_error', message: 'internal error' }));
      else reply.raw.end();
    }
  };
  const schema = { hide: true };
  app.post('/mcp', { schema }, handler);
  app.get('/mcp', { schema }, handler);
  app.delete('/mcp', { schema }, handler);
}
