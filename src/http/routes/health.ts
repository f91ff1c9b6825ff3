/**
 * GET /health: database and bus liveness, each named, so an operator sees which part is down.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';

export function healthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  const status = { type: 'object', properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, db: { type: 'string', enum: ['ok', 'down'] }, bus: { type: 'string', enum: ['ok', 'down'] } } } as const;
  app.get('/health', { schema: { summary: 'Database and bus liveness', tags: ['operations'], response: { 200: status, 503: status } } }, async (_request, reply) => {
    const [db, bus] = await Promise.all([
      deps.store.ping().then(() => 'ok' as const, () => 'down' as const),
      deps.bus.healthy().then((ok) => (ok ? ('ok' as const) : ('down' as const)), () => 'down' as const),
    ]);
    const ok = db === 'ok' && bus === 'ok';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', db, bus });
  });
}
