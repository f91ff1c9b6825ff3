/**
 * GET /api/v1/mailboxes/{address}/deliveries: the delivery timeline, the answer to "my email
 * never arrived": recent attempts, accepted or refused, with the reason and what the sender was told.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../core/auth.js';
import { listDeliveryAttempts } from '../../core/timeline.js';
import type { CoreDeps } from '../../core/context.js';
import type { DeliveryAttempt } from '../../core/types.js';
import { credentialsFrom } from '../request.js';
import { authErrors } from '../schemas.js';

const attemptSchema = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: ['accepted', 'refused'] },
    reason: { type: ['string', 'null'], description: 'mailbox_expired, mailbox_not_found, quota_exceeded, message_too_large, too_many_recipients, virus or spam (SES verdicts; error code message_rejected), forbidden (an SES S3 object outside the allow-list), or parse_error on an accepted but unparseable message' },
    response: { type: 'string', description: 'what the sender was told, e.g. "452 4.2.2 Mailbox full"' },
    smtp_code: { type: ['integer', 'null'], description: 'the SMTP reply code the sender was given (null for SES)' },
    enhanced_code: { type: ['string', 'null'], description: 'the enhanced status code of that reply, e.g. "5.3.4" (null for SES)' },
    source: { type: 'string', enum: ['smtp', 'ses'] },
    client_address: { type: ['string', 'null'] },
    envelope_from: { type: ['string', 'null'] },
    size: { type: ['integer', 'null'] },
    duration_ms: { type: ['integer', 'null'] },
    message_id: { type: ['string', 'null'] },
  },
} as const;

function presentAttempt(a: DeliveryAttempt) {
  return {
    at: new Date(a.at).toISOString(),
    outcome: a.outcome,
    reason: a.reason,
    response: a.response,
    smtp_code: a.smtpCode,
    enhanced_code: a.enhancedCode,
    source: a.source,
    client_address: a.clientAddress,
    envelope_from: a.envelopeFrom,
    size: a.size,
    duration_ms: a.durationMs,
    message_id: a.messageId,
  };
}

export function deliveryRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Params: { address: string }; Querystring: { limit?: number } }>(
    '/api/v1/mailboxes/:address/deliveries',
    {
      schema: {
        summary: 'Recent delivery attempts (accepted or refused)',
        tags: ['messages'],
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 254 } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
        response: { 200: { type: 'array', items: attemptSchema }, ...authErrors },
      },
    },
    async (request) => {
      const principal = await authenticate(deps, credentialsFrom(request));
      return (await listDeliveryAttempts(deps, principal, request.params.address, request.query.limit ?? 50)).map(presentAttempt);
    },
  );
}
