/**
 * The one authentication step of the REST routes: a preHandler that reads the caller's
 * credentials (`request.ts`) and puts the principal on `request.principal`, so handlers start
 * from who is calling. Registered on the scope that holds the REST routes (`app.ts`); /mcp (API
 * keys only, its own 401 with WWW-Authenticate) and the WebSocket (refusals close the socket
 * with 1008) authenticate on their own.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, type Principal } from '../core/auth.js';
import type { CoreDeps } from '../core/context.js';
import { credentialsFrom } from './request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** who is calling; set by the auth hook on every route of the REST scope. */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** also read `token=` / `api_key=` from the query (EventSource cannot set headers). */
    credentialsInQuery?: boolean;
  }
}

/** every route registered on `scope` after this call is authenticated first. */
export function authenticateRoutes(scope: FastifyInstance, deps: CoreDeps): void {
  // a placeholder of the right shape (Fastify wants the property declared up front); the hook sets the real one
  scope.decorateRequest('principal', null as never);
  scope.addHook('preHandler', async (request) => {
    request.principal = await authenticate(deps, credentialsFrom(request, request.routeOptions.config.credentialsInQuery === true));
  });
}
