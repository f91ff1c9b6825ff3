/**
 * GET /api/v1/domains: the receiving domains a mailbox may be created on; the first is the default.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';

export function domainRoutes(app: FastifyInstance, deps: CoreDeps): void {
  const schema = { type: 'object', properties: { domains: { type: 'array', items: { type: 'string' } }, default: { type: 'string' } } } as const;
  app.get('/api/v1/domains', { schema: { summary: 'Receiving domains', tags: ['mailboxes'], response: { 200: schema } } }, async () => ({ domains: deps.settings.domains, default: deps.settings.domains[0] }));
}
