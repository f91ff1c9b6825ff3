/**
 * /api/v1/keys: the calling key's owner lists, creates and revokes its own API keys. A new key is
 * in the 201 answer once; lists never show a key or its hash. Revoking closes, on every node, the
 * streams and MCP sessions the key opened (core/keys.ts).
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { createKey, listKeys, revokeKey } from '../../core/keys.js';
import { presentKey } from '../../presenters/key.js';
import { credentialsFrom } from '../request.js';
import { authErrors, errorSchema } from '../schemas.js';

const keySchema = {
  type: 'object',
  required: ['id', 'name', 'prefix', 'created_at', 'last_used_at', 'active'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'the first characters of the key, to tell keys apart' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'to the minute' },
    active: { type: 'boolean', description: 'false once revoked' },
    key: { type: 'string', description: 'the key itself: only in the answer to POST, shown once' },
  },
} as const;

export function keyRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/api/v1/keys',
    { schema: { summary: "The calling key's owner's API keys", tags: ['keys'], response: { 200: { type: 'array', items: keySchema }, ...authErrors } } },
    async (request) => (await listKeys(deps, await authenticate(deps, credentialsFrom(request)))).map((k) => presentKey(k)),
  );

  app.post<{ Body: { name?: string } | null }>(
    '/api/v1/keys',
    {
      schema: {
        summary: 'Create an API key (shown once)',
        tags: ['keys'],
        body: { type: ['object', 'null'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 } }, additionalProperties: false },
        response: { 201: keySchema, ...authErrors, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { key, secret } = await createKey(deps, await authenticate(deps, credentialsFrom(request)), request.body?.name);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(presentKey(key, secret));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/keys/:id',
    {
      schema: {
        summary: 'Revoke an API key (streams and MCP sessions it opened close)',
        tags: ['keys'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: keySchema, ...authErrors, 404: errorSchema },
      },
    },
    async (request) => presentKey(await revokeKey(deps, await authenticate(deps, credentialsFrom(request)), request.params.id)),
  );
}
