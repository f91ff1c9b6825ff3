/**
 * GET /health: database and bus liveness, each named, so an operator sees which part is down.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';

export function healthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/health', async (_request, reply) => {
    const [db, bus] = await Promise.all([
      deps.store.ping().then(() => 'ok' as const, () => 'down' as const),
      deps.bus.healthy().then((ok) => (ok ? ('ok' as const) : ('down' as const)), () => 'down' as const),
    ]);
    const ok = db === 'ok' && bus === 'ok';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db, bus });
  });
}
