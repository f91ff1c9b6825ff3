/**
 * The wire shapes of `presenters/` (zod, defined once there) as JSON Schemas for Fastify's
 * response serialisation and the OpenAPI document. Nothing here is written by hand: a field is
 * added to its zod shape in `presenters/`, and its presenter, these schemas, `openapi.json`
 * (`npm run gen:openapi`) and the MCP output schemas follow.
 *
 * Each shape is registered once on the app (`app.addSchema`, `$id` = its name) and routes point at
 * it with `ref('Mailbox')`, so OpenAPI lists it once under components/schemas.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deliveryAttemptJson } from '../presenters/delivery.js';
import { errorJson } from '../presenters/error.js';
import { faultScriptJson } from '../presenters/fault.js';
import { healthJson } from '../presenters/health.js';
import { deletedGroupJson, domainListJson, mailboxJson } from '../presenters/mailbox.js';
import { messageJson, messageSummaryJson, searchResultJson } from '../presenters/message.js';
import { sesOutcomeJson } from '../presenters/ses.js';
import { webhookAttemptJson, webhookJson, webhookReplayJson, webhookTestJson } from '../presenters/webhook.js';

/** every named wire shape, by the name it has in OpenAPI's components/schemas. */
const WIRE_SHAPES = {
  Error: errorJson,
  Mailbox: mailboxJson,
  DomainList: domainListJson,
  DeletedGroup: deletedGroupJson,
  MessageSummary: messageSummaryJson,
  Message: messageJson,
  SearchResult: searchResultJson,
  DeliveryAttempt: deliveryAttemptJson,
  FaultScript: faultScriptJson,
  Health: healthJson,
  SesOutcome: sesOutcomeJson,
  Webhook: webhookJson,
  WebhookAttempt: webhookAttemptJson,
  WebhookTest: webhookTestJson,
  WebhookReplay: webhookReplayJson,
} as const satisfies Record<string, z.ZodType>;

export type WireShapeName = keyof typeof WIRE_SHAPES;

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** zod's JSON Schema, cut to what Fastify and OpenAPI 3.1 need ($schema and the safe-integer bounds out). */
export function toJsonSchema(shape: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(shape, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      // z.number().int() spells out ±2^53-1; every integer here fits, so the bounds are noise
      if (jsonSchema.minimum === -SAFE_INT) delete jsonSchema.minimum;
      if (jsonSchema.maximum === SAFE_INT) delete jsonSchema.maximum;
    },
  }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** registers every wire shape on `app` under its name; call once, before the routes. */
export function addWireSchemas(app: FastifyInstance): void {
  for (const [name, shape] of Object.entries(WIRE_SHAPES)) app.addSchema({ $id: name, ...toJsonSchema(shape) });
}

/** a reference to a registered wire shape, for a route's `response` (or an array's `items`). */
export function ref(name: WireShapeName): { $ref: string } {
  return { $ref: `${name}#` };
}

/** a JSON array of one wire shape. */
export function listOf(name: WireShapeName) {
  return { type: 'array', items: ref(name) } as const;
}

export const errorSchema = ref('Error');

/** the error responses most authenticated routes can give. */
export const authErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 410: errorSchema, 503: errorSchema } as const;
