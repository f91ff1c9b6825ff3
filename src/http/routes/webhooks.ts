/**
 * /api/v1/webhooks (#15): an API key's owner manages its outbound webhooks: create (the signing
 * secret shown once), list, read, change, delete, the attempts, a test event and a replay of
 * stored events. The rules are core/webhooks/endpoints.ts; the target check is src/webhooks/.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookAttempts,
  listWebhooks,
  replayWebhook,
  testWebhook,
  updateWebhook,
  type WebhookInput,
} from '../../core/webhooks/endpoints.js';
import { presentWebhook, presentWebhookAttempt } from '../../presenters/webhook.js';
import { targetCheck } from '../../webhooks/targets.js';
import { authErrors, errorSchema, listOf, ref } from '../schemas.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

const inputProperties = {
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL the events are POSTed to' },
  events: { type: 'array', items: { type: 'string', enum: ['new_message'] }, minItems: 1, description: 'default ["new_message"]' },
  mailbox: { type: ['string', 'null'], maxLength: 254, description: "only this mailbox's events (default: every mailbox of the owner)" },
  group: { type: ['string', 'null'], maxLength: 100, description: 'only mailboxes of this group' },
  include_message: { type: 'boolean', description: 'send the whole message instead of its summary' },
  enabled: { type: 'boolean', description: 'false pauses it; true enables it again (queued events are sent then)' },
} as const;

export function webhookRoutes(app: FastifyInstance, deps: CoreDeps, settings: { allowPrivate: boolean }): void {
  const check = targetCheck(settings.allowPrivate);

  app.post<{ Body: WebhookInput }>(
    '/api/v1/webhooks',
    {
      schema: {
        summary: 'Create a webhook (the signing secret is shown once)',
        tags: ['webhooks'],
        body: { type: 'object', required: ['url'], properties: inputProperties, additionalProperties: false },
        response: { 201: ref('Webhook'), ...authErrors, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const w = await createWebhook(deps, request.principal, request.body, check);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(presentWebhook(w, true));
    },
  );

  app.get(
    '/api/v1/webhooks',
    { schema: { summary: "The calling key's owner's webhooks", tags: ['webhooks'], response: { 200: listOf('Webhook'), ...authErrors } } },
    async (request) => (await listWebhooks(deps, request.principal)).map((w) => presentWebhook(w)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    { schema: { summary: 'One webhook', tags: ['webhooks'], params: idParams, response: { 200: ref('Webhook'), ...authErrors } } },
    async (request) => presentWebhook(await getWebhook(deps, request.principal, request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: WebhookInput }>(
    '/api/v1/webhooks/:id',
    {
      schema: {
        summary: 'Change a webhook (enabled: true re-enables a disabled one)',
        tags: ['webhooks'],
        params: idParams,
        body: { type: 'object', properties: inputProperties, additionalProperties: false },
        response: { 200: ref('Webhook'), ...authErrors },
      },
    },
    async (request) => presentWebhook(await updateWebhook(deps, request.principal, request.params.id, request.body ?? {}, check)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id',
    { schema: { summary: 'Delete a webhook (its queued events and attempts go with it)', tags: ['webhooks'], params: idParams, response: { 200: ref('Webhook'), ...authErrors } } },
    async (request) => presentWebhook(await deleteWebhook(deps, request.principal, request.params.id)),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; offset?: number } }>(
    '/api/v1/webhooks/:id/attempts',
    {
      schema: {
        summary: "A webhook's delivery attempts, newest first",
        tags: ['webhooks'],
        params: idParams,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, offset: { type: 'integer', minimum: 0 } } },
        response: { 200: listOf('WebhookAttempt'), ...authErrors },
      },
    },
    async (request) =>
      (await listWebhookAttempts(deps, request.principal, request.params.id, request.query.limit ?? 50, request.query.offset ?? 0)).map(presentWebhookAttempt),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/webhooks/:id/test',
    { schema: { summary: 'Send a webhook_test event', tags: ['webhooks'], params: idParams, response: { 202: ref('WebhookTest'), ...authErrors } } },
    async (request, reply) => {
      const { eventId } = await testWebhook(deps, request.principal, request.params.id);
      return reply.code(202).send({ event_id: eventId });
    },
  );

  app.post<{ Params: { id: string }; Body: { mailbox: string; since_seq?: number } }>(
    '/api/v1/webhooks/:id/replay',
    {
      schema: {
        summary: "Send a mailbox's stored new_message events again (after since_seq, in seq order)",
        tags: ['webhooks'],
        params: idParams,
        body: {
          type: 'object',
          required: ['mailbox'],
          properties: { mailbox: { type: 'string', maxLength: 254 }, since_seq: { type: 'integer', minimum: 0, description: 'default 0: every stored message' } },
          additionalProperties: false,
        },
        response: { 202: ref('WebhookReplay'), ...authErrors },
      },
    },
    async (request, reply) => reply.code(202).send(await replayWebhook(deps, request.principal, request.params.id, request.body)),
  );
}
