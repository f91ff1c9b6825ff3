/**
 * /api/v1/mailboxes: create, list mine (optionally a group), delete a group, get, extend,
 * delete. Handlers are one call into core.
 */
import type { FastifyInstance } from 'fastify';
import { openMailbox } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { createMailbox, deleteGroup, deleteMailbox, extendMailbox, listMailboxes } from '../../core/mailboxes.js';
import type { RateLimiter } from '../../core/rate-limit.js';
import { presentMailbox } from '../../presenters/mailbox.js';
import { clientKey } from '../request.js';
import { authErrors, errorSchema, listOf, ref } from '../schemas.js';

const addressParams = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string', minLength: 3, maxLength: 254 } },
} as const;

const createFields = {
  ttl_minutes: { type: 'integer', minimum: 1, description: 'minutes until the mailbox expires; clamped to the plan' },
  address: { type: 'string', maxLength: 254, description: 'a whole address on one of our domains (API key only)' },
  local_part: { type: 'string', maxLength: 64, description: 'the part before @ (API key only)' },
  domain: { type: 'string', maxLength: 253, description: 'one of the receiving domains (GET /api/v1/domains)' },
  group: { type: 'string', maxLength: 128, description: 'a label for a test run, to list or delete together' },
  owner_type: { type: 'string', enum: ['api', 'mcp'], description: "API key only: 'mcp' marks a mailbox an agent created through a tool (default 'api')" },
} as const;

interface CreateInput {
  ttl_minutes?: number;
  address?: string;
  local_part?: string;
  domain?: string;
  group?: string;
  owner_type?: 'api' | 'mcp';
}

const groupField = { type: 'string', minLength: 1, maxLength: 128, description: 'only the mailboxes created with this group label' } as const;
const groupQuery = { type: 'object', properties: { group: groupField } } as const;
const listQuery = {
  type: 'object',
  properties: {
    group: groupField,
    limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'at most this many (default: all)' },
    offset: { type: 'integer', minimum: 0, description: 'skip this many first (newest first)' },
  },
} as const;

export function mailboxRoutes(app: FastifyInstance, deps: CoreDeps, anonymousLimiter: RateLimiter): void {
  app.post<{ Querystring: CreateInput; Body: CreateInput | null }>(
    '/api/v1/mailboxes',
    {
      schema: {
        summary: 'Create a mailbox',
        description:
          'Anonymous callers get a generated address and a `session_token` (shown once). With an API key the mailbox is the key owner\'s, and `address` or `local_part` choose it (409 if taken). Fields may come in the query or a JSON body.',
        tags: ['mailboxes'],
        querystring: { type: 'object', properties: createFields, additionalProperties: false },
        body: { type: ['object', 'null'], properties: createFields, additionalProperties: false },
        response: { 201: ref('Mailbox'), 400: errorSchema, 401: errorSchema, 403: errorSchema, 409: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const input = { ...request.query, ...(request.body ?? {}) };
      const key = clientKey(request.ip);
      const laptop = principal.kind === 'anonymous' && principal.local === true && deps.settings.anonymousLoopbackUncapped;
      if (principal.kind !== 'user' && !laptop) anonymousLimiter.take(key);
      const created = await createMailbox(
        deps,
        principal,
        { ttlMinutes: input.ttl_minutes, address: input.address, localPart: input.local_part, domain: input.domain, group: input.group },
        key,
        input.owner_type ?? 'api',
      );
      // the seed's clients read session_token on every create: null says "use your API key"
      return reply.code(201).send(presentMailbox(created.mailbox, deps.clock.now(), created.sessionToken ?? null));
    },
  );

  app.get<{ Querystring: { group?: string; limit?: number; offset?: number } }>(
    '/api/v1/mailboxes',
    {
      schema: {
        summary: "List the caller's live mailboxes",
        tags: ['mailboxes'],
        querystring: listQuery,
        response: { 200: listOf('Mailbox'), 401: errorSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const now = deps.clock.now();
      return (await listMailboxes(deps, principal, request.query.group, { limit: request.query.limit, offset: request.query.offset })).map((m) => presentMailbox(m, now));
    },
  );

  app.delete<{ Querystring: { group: string } }>(
    '/api/v1/mailboxes',
    {
      schema: {
        summary: "Delete a group of the key owner's mailboxes",
        description: 'Tears down every live mailbox created with this `group` label (API key only): one call at the end of a CI run.',
        tags: ['mailboxes'],
        querystring: { ...groupQuery, required: ['group'] },
        response: { 200: ref('DeletedGroup'), 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const addresses = await deleteGroup(deps, principal, request.query.group);
      return { deleted: addresses.length, addresses };
    },
  );

  app.get<{ Params: { address: string } }>(
    '/api/v1/mailboxes/:address',
    { schema: { summary: 'Get a mailbox', tags: ['mailboxes'], params: addressParams, response: { 200: ref('Mailbox'), ...authErrors } } },
    async (request) => {
      const { principal } = request;
      return presentMailbox(await openMailbox(deps, principal, request.params.address), deps.clock.now());
    },
  );

  app.patch<{ Params: { address: string }; Querystring: { ttl_minutes?: number }; Body: { ttl_minutes?: number } | null }>(
    '/api/v1/mailboxes/:address',
    {
      schema: {
        summary: 'Extend the TTL',
        description: 'Sets the mailbox to expire `ttl_minutes` from now (default: the plan default), clamped to the plan maximum.',
        tags: ['mailboxes'],
        params: addressParams,
        querystring: { type: 'object', properties: { ttl_minutes: createFields.ttl_minutes } },
        body: { type: ['object', 'null'], properties: { ttl_minutes: createFields.ttl_minutes }, additionalProperties: false },
        response: { 200: ref('Mailbox'), ...authErrors },
      },
    },
    async (request) => {
      const { principal } = request;
      const ttl = request.body?.ttl_minutes ?? request.query.ttl_minutes;
      return presentMailbox(await extendMailbox(deps, principal, request.params.address, ttl), deps.clock.now());
    },
  );

  app.delete<{ Params: { address: string } }>(
    '/api/v1/mailboxes/:address',
    { schema: { summary: 'Delete a mailbox', tags: ['mailboxes'], params: addressParams, response: { 204: { type: 'null' }, ...authErrors } } },
    async (request, reply) => {
      const { principal } = request;
      await deleteMailbox(deps, principal, request.params.address);
      return reply.code(204).send();
    },
  );
}
