/**
 * GET /health: database and bus liveness plus the extra checks roles.ts gives (the data disk),
 * each named, so an operator sees which part is down. Any part not ok answers 503.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import type { HealthCheck, HealthCheckResult } from '../../core/health.js';
import type { HealthJson } from '../../presenters/health.js';
import { ref } from '../schemas.js';

export function healthRoutes(app: FastifyInstance, deps: CoreDeps, checks: readonly HealthCheck[] = []): void {
  app.get('/health', { schema: { summary: 'Database, bus and disk health', tags: ['operations'], response: { 200: ref('Health'), 503: ref('Health') } } }, async (_request, reply) => {
    const [db, bus, ...extra] = await Promise.all([
      deps.store.ping().then(() => 'ok' as const, () => 'down' as const),
      deps.bus.healthy().then((ok) => (ok ? ('ok' as const) : ('down' as const)), () => 'down' as const),
      ...checks.map((c) => c.check().catch((err: unknown): HealthCheckResult => ({ name: c.name, status: 'down', message: err instanceof Error ? err.message : String(err) }))),
    ]);
    const all: HealthCheckResult[] = [{ name: 'db', status: db }, { name: 'bus', status: bus }, ...extra];
    const ok = all.every((c) => c.status === 'ok');
    const body: HealthJson = { status: ok ? 'ok' : 'degraded', db, bus, checks: all };
    return reply.code(ok ? 200 : 503).send(body);
  });
}
