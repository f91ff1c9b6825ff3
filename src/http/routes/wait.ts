/**
 * GET /api/v1/mailboxes/{address}/messages/wait: the long-poll. Returns the first matching
 * message (or `{messages}` with count > 1), 408 on timeout, 410 when the mailbox ends mid-wait; with expect=none, 204 when nothing
 * matching arrived and 409 when something did.
 */
import type { FastifyInstance } from 'fastify';
import { catchForReader } from '../../core/catch-all.js';
import type { CoreDeps } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { MAX_PATTERN_LENGTH } from '../../core/filters.js';
import { MAX_WAIT_COUNT, waitForMessages } from '../../core/wait.js';
import { presentMessage } from '../../presenters/message.js';
import { errorSchema, listOf, ref } from '../schemas.js';

interface WaitQs {
  from?: string;
  subject?: string;
  body?: string;
  pattern?: string;
  after_seq?: number;
  timeout?: number;
  count?: number;
  expect?: 'none';
}

export function waitRoutes(app: FastifyInstance, deps: CoreDeps, maxTimeoutSeconds: number, draining?: AbortSignal): void {
  app.get<{ Params: { address: string }; Querystring: WaitQs }>(
    '/api/v1/mailboxes/:address/messages/wait',
    {
      schema: {
        summary: 'Wait for a message (long-poll)',
        description:
          'Returns at once when a matching message is already stored after `after_seq`, else blocks until one arrives or `timeout` seconds pass (408); 410 when the mailbox expires or is deleted while waiting. ' +
          'With `count=N`, waits for N matches and answers `{messages: [...]}`. With `expect=none`, answers 204 when nothing matching arrives within the timeout and 409 when something does.',
        tags: ['messages'],
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 254 } } },
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', maxLength: 256, description: 'sender address or name contains (case-insensitive)' },
            subject: { type: 'string', maxLength: 512, description: 'subject contains (case-insensitive)' },
            body: { type: 'string', maxLength: 1024, description: 'text or HTML body contains (case-insensitive)' },
            pattern: { type: 'string', maxLength: MAX_PATTERN_LENGTH, description: 'RE2 regular expression over the subject and text body (linear time)' },
            after_seq: { type: 'integer', minimum: 0, description: 'only messages with a greater seq (use the mailbox last_seq to ignore older mail)' },
            timeout: { type: 'number', minimum: 0, maximum: maxTimeoutSeconds, default: 30, description: `seconds to wait, at most ${maxTimeoutSeconds}` },
            count: { type: 'integer', minimum: 1, maximum: MAX_WAIT_COUNT, default: 1, description: 'return when this many matching messages are there' },
            expect: { type: 'string', enum: ['none'], description: 'none: succeed (204) only if nothing matching arrives' },
          },
        },
        response: {
          200: { anyOf: [{ type: 'object', required: ['messages'], properties: { messages: listOf('Message') } }, ref('Message')] },
          204: { type: 'null', description: 'expect=none: nothing matching arrived' },
          408: errorSchema,
          409: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      await catchForReader(deps, principal, request.params.address);
      const q = request.query;
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      // a shutdown ends the wait with a retryable 503 (not a 408 "nothing arrived")
      const drain = () => gone.abort();
      draining?.addEventListener('abort', drain, { once: true });
      const outcome = await waitForMessages(
        deps,
        principal,
        request.params.address,
        {
          from: q.from,
          subject: q.subject,
          body: q.body,
          pattern: q.pattern,
          afterSeq: q.after_seq,
          count: q.count,
          expectNone: q.expect === 'none',
          timeoutMs: Math.round((q.timeout ?? 30) * 1000),
        },
        gone.signal,
      )
        .catch((err: unknown) => {
          if (draining?.aborted) throw new DomainError('shutting_down', 'the server is shutting down; wait again (another node, or this one restarted, answers)');
          throw err;
        })
        .finally(() => draining?.removeEventListener('abort', drain));
      if (outcome.kind === 'quiet') return reply.code(204).send();
      if ((q.count ?? 1) === 1) return presentMessage(outcome.messages[0]!);
      return { messages: outcome.messages.map(presentMessage) };
    },
  );
}
