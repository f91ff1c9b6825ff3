/**
 * GET /api/v1/mailboxes/{address}/deliveries: the delivery timeline, the answer to "my email
 * never arrived": recent attempts, accepted or refused, with the reason and what the sender was told.
 */
import type { FastifyInstance } from 'fastify';
import { listDeliveryAttempts } from '../../core/timeline.js';
import type { CoreDeps } from '../../core/context.js';
import { presentAttempt } from '../../presenters/delivery.js';
import { authErrors, listOf } from '../schemas.js';

export function deliveryRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Params: { address: string }; Querystring: { limit?: number; offset?: number } }>(
    '/api/v1/mailboxes/:address/deliveries',
    {
      schema: {
        summary: 'Recent delivery attempts (accepted or refused)',
        tags: ['messages'],
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 254 } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, offset: { type: 'integer', minimum: 0, description: 'skip this many of the newest first' } } },
        response: { 200: listOf('DeliveryAttempt'), ...authErrors },
      },
    },
    async (request) => {
      const { principal } = request;
      return (await listDeliveryAttempts(deps, principal, request.params.address, request.query.limit ?? 50, request.query.offset)).map(presentAttempt);
    },
  );
}
