/**
 * GET /health: database and bus liveness, each named, so an operator sees which part is down.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import type { HealthJson } from '../../presenters/health.js';
import { ref } from '../schemas.js';

export function healthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/health', { schema: { summary: 'Database and bus liveness', tags: ['operations'], response: { 200: ref('Health'), 503: ref('Health') } } }, async (_request, reply) => {
    const [db, bus] = await Promise.all([
      deps.store.ping().then(() => 'ok' as const, () => 'down' as const),
      deps.bus.healthy().then((ok) => (ok ? ('ok' as const) : ('down' as const)), () => 'down' as const),
    ]);
    const ok = db === 'ok' && bus === 'ok';
    const body: HealthJson = { status: ok ? 'ok' : 'degraded', db, bus };
    return reply.code(ok ? 200 : 503).send(body);
  });
}
