/**
 * GET /api/v1/mailboxes/{address}/events: the mailbox's feed (core/feed.ts) as Server-Sent
 * Events. Each new_message carries `id: <seq>`, so a reconnecting EventSource sends
 * Last-Event-ID and the feed replays from there. Auth by headers, or `token=`/`api_key=` in the query, since
 * EventSource cannot set headers.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { openMailbox } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import { isFinalEvent, type MailboxEvent } from '../../core/events.js';
import { openFeed } from '../../core/feed.js';
import { watchKey } from '../../core/keys.js';
import type { Metrics } from '../../core/metrics.js';
import { streamOpened } from './open-streams.js';
import type { RealtimeSettings } from './ws.js';

/**
 * takes the response over from Fastify and starts an event stream (no proxy buffering, a 2 s
 * retry hint), counted in inboxd_streams_open until the connection closes.
 */
export function openEventStream(reply: FastifyReply, metrics: Metrics): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  res.once('close', streamOpened(metrics, 'sse'));
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  return res;
}

export function sseRoutes(app: FastifyInstance, deps: CoreDeps, settings: RealtimeSettings): void {
  app.get<{ Params: { address: string }; Querystring: { since?: number; token?: string; api_key?: string } }>(
    '/api/v1/mailboxes/:address/events',
    {
      config: { credentialsInQuery: true },
      // before the auth hook: a page on a foreign origin learns nothing, not even whether its token is good
      preValidation: async (request) => {
        if (!settings.hostAllowed(request)) throw new DomainError('forbidden', 'Host not allowed (add the origin to INBOXD_ALLOWED_ORIGINS)');
        if (!settings.originAllowed(request.headers.origin, request.headers.host)) throw new DomainError('forbidden', 'origin not allowed');
      },
      schema: {
        summary: 'Event stream (Server-Sent Events)',
        description: 'new_message (id = seq), message_deleted, mailbox_deleted, mailbox_expired and ping events. Replays stored messages after `since` or `Last-Event-ID`.',
        tags: ['events'],
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 254 } } },
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'integer', minimum: 0, description: 'replay stored messages with a greater seq' },
            token: { type: 'string', description: 'session token (for EventSource, which cannot set headers)' },
            api_key: { type: 'string', description: 'API key (for EventSource)' },
          },
        },
      },
    },
    async (request, reply) => {
      const mailbox = await openMailbox(deps, request.principal, request.params.address);
      const lastEventId = request.headers['last-event-id'];
      let since = request.query.since;
      if (typeof lastEventId === 'string' && /^\d+$/.test(lastEventId)) since = Number(lastEventId);

      const res = openEventStream(reply, deps.metrics);
      let stream: { close(): void } | null = null;
      let unwatch: (() => void) | null = null;
      let ping: NodeJS.Timeout | null = null;
      const end = () => {
        settings.draining?.removeEventListener('abort', end);
        stream?.close();
        unwatch?.();
        if (ping) clearInterval(ping);
        if (!res.writableEnded) res.end();
      };
      const send = (ev: MailboxEvent | { event: 'ping' }) => {
        if (res.writableEnded) return;
        // a reader that does not read must not make us buffer without bound
        if (res.writableLength > settings.maxBufferedBytes) return end();
        const id = ev.event === 'new_message' ? `id: ${ev.seq}\n` : '';
        res.write(`event: ${ev.event}\n${id}data: ${JSON.stringify(ev)}\n\n`);
        if (ev.event !== 'ping' && isFinalEvent(ev)) end();
      };
      res.once('close', end);
      // shutting down: end the stream; EventSource reconnects (to another node) with Last-Event-ID
      settings.draining?.addEventListener('abort', end, { once: true });
      try {
        // a revoked key's stream ends at once, here or on any node (core/keys.ts)
        const { principal } = request;
        if (principal.kind === 'user') unwatch = await watchKey(deps, principal.keyId, end, settings.pingIntervalMs);
        stream = await openFeed(deps, mailbox, {
          consumer: 'sse',
          since,
          onEvent: send,
          // a gap could not be filled: ending the response makes EventSource come back with Last-Event-ID
          onError: (err) => {
            request.log.error({ err }, 'sse feed failed');
            end();
          },
        });
      } catch (err) {
        request.log.error({ err }, 'sse setup failed');
        return end();
      }
      if (res.writableEnded) {
        unwatch?.();
        return stream.close();
      }
      ping = setInterval(() => send({ event: 'ping' }), settings.pingIntervalMs);
      ping.unref();
    },
  );
}
