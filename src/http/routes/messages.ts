/**
 * /api/v1/mailboxes/{address}/messages: list, read (marks read), raw source, delete.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { deleteMessage, listMessages, MAX_LIST_LIMIT, readMessage, readRawSource } from '../../core/messages.js';
import { presentMessage, presentSummary } from '../../presenters/message.js';
import { credentialsFrom } from '../request.js';

const params = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string', maxLength: 254 }, id: { type: 'string', maxLength: 64 } },
} as const;

interface ListQs {
  after_seq?: number;
  limit?: number;
  unread?: boolean;
  order?: 'asc' | 'desc';
}

export function messageRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Params: { address: string }; Querystring: ListQs }>(
    '/api/v1/mailboxes/:address/messages',
    {
      schema: {
        params,
        querystring: {
          type: 'object',
          properties: {
            after_seq: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT },
            unread: { type: 'boolean' },
            order: { type: 'string', enum: ['asc', 'desc'] },
          },
        },
      },
    },
    async (request) => {
      const principal = await authenticate(deps, credentialsFrom(request));
      const q = request.query;
      const { messages } = await listMessages(deps, principal, request.params.address, {
        afterSeq: q.after_seq,
        limit: q.limit,
        unread: q.unread,
        order: q.order,
      });
      return messages.map(presentSummary);
    },
  );

  app.get<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id', { schema: { params } }, async (request) => {
    const principal = await authenticate(deps, credentialsFrom(request));
    return presentMessage(await readMessage(deps, principal, request.params.address, request.params.id));
  });

  app.get<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id/raw', { schema: { params } }, async (request, reply) => {
    const principal = await authenticate(deps, credentialsFrom(request));
    const raw = await readRawSource(deps, principal, request.params.address, request.params.id);
    return reply
      .type('message/rfc822')
      .header('Content-Disposition', `attachment; filename="${request.params.id.replace(/[^A-Za-z0-9]/g, '')}.eml"`)
      .header('X-Content-Type-Options', 'nosniff')
      .send(raw);
  });

  app.delete<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id', { schema: { params } }, async (request, reply) => {
    const principal = await authenticate(deps, credentialsFrom(request));
    await deleteMessage(deps, principal, request.params.address, request.params.id);
    return reply.code(204).send();
  });
}
