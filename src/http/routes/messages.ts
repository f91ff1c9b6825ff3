/**
 * /api/v1/mailboxes/{address}/messages: list, read (marks read), raw source, delete.
 */
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import { deleteMessage, listMessages, MAX_LIST_LIMIT, readAttachment, readMessage, readRawSource } from '../../core/messages.js';
import { presentMessage, presentSummary } from '../../presenters/message.js';
import { contentDisposition } from '../request.js';
import { authErrors, listOf, ref } from '../schemas.js';

const params = {
  type: 'object',
  required: ['address'],
  properties: { address: { type: 'string', maxLength: 254 }, id: { type: 'string', maxLength: 64 } },
} as const;

interface ListQs {
  from?: string;
  subject?: string;
  after_seq?: number;
  limit?: number;
  offset?: number;
  unread?: boolean;
  order?: 'asc' | 'desc';
}

export function messageRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Params: { address: string }; Querystring: ListQs }>(
    '/api/v1/mailboxes/:address/messages',
    {
      schema: {
        summary: 'List messages (summaries, newest first)',
        tags: ['messages'],
        response: { 200: listOf('MessageSummary'), ...authErrors },
        params,
        querystring: {
          type: 'object',
          properties: {
            after_seq: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, description: 'at most this many (default 50)' },
            offset: { type: 'integer', minimum: 0, description: 'skip this many first (paging with limit; after_seq is stable while mail arrives)' },
            unread: { type: 'boolean' },
            order: { type: 'string', enum: ['asc', 'desc'] },
            from: { type: 'string', maxLength: 256, description: 'sender contains (case-insensitive)' },
            subject: { type: 'string', maxLength: 512, description: 'subject contains (case-insensitive)' },
          },
        },
      },
    },
    async (request) => {
      const { principal } = request;
      const q = request.query;
      const { messages } = await listMessages(deps, principal, request.params.address, {
        afterSeq: q.after_seq,
        limit: q.limit,
        offset: q.offset,
        unread: q.unread,
        order: q.order,
        from: q.from,
        subject: q.subject,
      });
      return messages.map(presentSummary);
    },
  );

  app.get<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id', { schema: { summary: 'Read a message (marks it read)', tags: ['messages'], params, response: { 200: ref('Message'), ...authErrors } } }, async (request) => {
    const { principal } = request;
    return presentMessage(await readMessage(deps, principal, request.params.address, request.params.id));
  });

  app.get<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id/raw', { schema: { summary: 'The raw .eml source (message/rfc822)', tags: ['messages'], params, response: { 200: { type: 'string', format: 'binary' }, ...authErrors } } }, async (request, reply) => {
    const { principal } = request;
    const raw = await readRawSource(deps, principal, request.params.address, request.params.id);
    return reply
      .type('message/rfc822')
      .header('Content-Disposition', contentDisposition(`${request.params.id}.eml`))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .send(raw);
  });

  app.get<{ Params: { address: string; id: string; n: number } }>(
    '/api/v1/mailboxes/:address/messages/:id/attachments/:n',
    { schema: { summary: "One attachment's bytes (always a download)", tags: ['messages'], params: { ...params, required: ['address', 'id', 'n'], properties: { ...params.properties, n: { type: 'integer', minimum: 0 } } }, response: { 200: { type: 'string', format: 'binary' }, ...authErrors } } },
    async (request, reply) => {
      const { principal } = request;
      const { address, id, n } = request.params;
      const att = await readAttachment(deps, principal, address, id, n);
      // attacker-chosen bytes on our origin: always a download, never sniffed or rendered
      return reply
        .type(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(att.contentType) ? att.contentType : 'application/octet-stream')
        .header('Content-Disposition', contentDisposition(att.filename ?? `attachment-${n}`))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'none'; sandbox")
        .send(Buffer.from(att.content.buffer, att.content.byteOffset, att.content.byteLength));
    },
  );

  app.delete<{ Params: { address: string; id: string } }>('/api/v1/mailboxes/:address/messages/:id', { schema: { summary: 'Delete a message', tags: ['messages'], params, response: { 204: { type: 'null' }, ...authErrors } } }, async (request, reply) => {
    const { principal } = request;
    await deleteMessage(deps, principal, request.params.address, request.params.id);
    return reply.code(204).send();
  });
}
