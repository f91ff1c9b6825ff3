/**
 * GET /api/v1/domains: the receiving domains a mailbox may be created on; the first is the default.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import type { DomainListJson } from '../../presenters/mailbox.js';
import { ref } from '../schemas.js';

export function domainRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/api/v1/domains', { schema: { summary: 'Receiving domains', tags: ['mailboxes'], response: { 200: ref('DomainList') } } }, async (): Promise<DomainListJson> => ({ domains: [...deps.settings.domains], default: deps.settings.domains[0]! }));
}
