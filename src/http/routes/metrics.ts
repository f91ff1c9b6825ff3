/**
 * GET /metrics: Prometheus text. Not public (DESIGN): with a configured token it needs
 * `Authorization: Bearer <token>`; without one it answers loopback clients only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import type { Prometheus } from '../../prometheus.js';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function metricsRoutes(app: FastifyInstance, deps: CoreDeps, token: string | undefined, prometheus?: Prometheus): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token) {
      const given = Buffer.from((request.headers.authorization ?? '').replace(/^bearer\s+/i, ''));
      const want = Buffer.from(token);
      if (given.length !== want.length || !timingSafeEqual(given, want)) throw new DomainError('unauthorized', 'a metrics token is required');
    } else if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) {
      throw new DomainError('forbidden', '/metrics answers loopback clients only unless INBOXD_METRICS_TOKEN is set');
    }
    const text = deps.metrics.render() + (prometheus ? await prometheus.render() : '');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
