/**
 * POST/GET/DELETE /mcp: the Streamable HTTP entry of the MCP server. This file does the HTTP
 * part — Host and Origin against an allow-list (DNS rebinding), `Authorization: Bearer <API key>`
 * (anonymous callers and session tokens get 401) — then hands the raw request to the MCP handler
 * it is given (`mcp/http-handler.ts`, injected by roles.ts: an edge never imports another).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { isApiKey } from '../../core/tokens.js';
import { errorBody, sendError } from '../errors.js';
import { hostAndOriginAllowed } from '../host-check.js';
import { clientKey } from '../request.js';

/** what /mcp needs from the MCP side (structural, so http/ does not import mcp/). */
export interface McpEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: { principal: Extract<Principal, { kind: 'user' }>; clientKey: string }): Promise<void>;
  close(): Promise<void>;
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
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody('internal_error', 'internal error')));
      else reply.raw.end();
    }
  };
  const schema = { hide: true };
  app.post('/mcp', { schema }, handler);
  app.get('/mcp', { schema }, handler);
  app.delete('/mcp', { schema }, handler);
}
