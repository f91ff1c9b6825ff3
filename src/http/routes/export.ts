/**
 * Export caught mail as an mbox or a zip of .eml files: one mailbox
 * (`/api/v1/mailboxes/{address}/export`) or the caller's live mailboxes, optionally one group
 * (`/api/v1/mailboxes/export?group=`). The GitHub Action uploads it as the run's artifact.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/context.js';
import { exportMessages, type ExportScope } from '../../core/export.js';
import { EXPORT_CONTENT_TYPES, type ExportFormat, exportStream } from '../../presenters/export.js';
import { contentDisposition } from '../request.js';
import { authErrors } from '../schemas.js';

const format = { type: 'string', enum: ['mbox', 'zip'], default: 'mbox', description: 'mbox (mboxrd, one file) or zip (one <address>/<seq>-<id>.eml per message, byte-exact)' } as const;
const binary = { type: 'string', format: 'binary' } as const;

export function exportRoutes(app: FastifyInstance, deps: CoreDeps): void {
  // access is checked before the first byte: a refusal is a normal error answer, not a cut stream
  const send = async (request: FastifyRequest, reply: FastifyReply, scope: ExportScope, fmt: ExportFormat, name: string) => {
    const messages = await exportMessages(deps, request.principal, scope);
    return reply
      .type(EXPORT_CONTENT_TYPES[fmt])
      .header('Content-Disposition', contentDisposition(`${name}.${fmt}`))
      .header('X-Content-Type-Options', 'nosniff')
      .send(exportStream(fmt, messages));
  };

  app.get<{ Querystring: { group?: string; format: ExportFormat } }>(
    '/api/v1/mailboxes/export',
    {
      schema: {
        summary: "Export the caller's mailboxes (mbox or zip)",
        description: "Every message of the caller's live mailboxes (an API key: its owner's; on a development server's loopback without credentials: the unowned caught mail), oldest first per mailbox; `group` narrows it to one run group.",
        tags: ['mailboxes'],
        querystring: { type: 'object', properties: { group: { type: 'string', minLength: 1, maxLength: 128 }, format } },
        response: { 200: binary, ...authErrors },
      },
    },
    (request, reply) => send(request, reply, { group: request.query.group }, request.query.format, `inboxd-${request.query.group ?? 'mailboxes'}`),
  );

  app.get<{ Params: { address: string }; Querystring: { format: ExportFormat } }>(
    '/api/v1/mailboxes/:address/export',
    {
      schema: {
        summary: "Export one mailbox's messages (mbox or zip)",
        tags: ['mailboxes'],
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', minLength: 3, maxLength: 254 } } },
        querystring: { type: 'object', properties: { format } },
        response: { 200: binary, ...authErrors },
      },
    },
    (request, reply) => send(request, reply, { address: request.params.address }, request.query.format, request.params.address),
  );
}
