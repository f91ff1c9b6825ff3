/**
 * GET /api/v1/catch-all/events: every new_message of the caller's caught mailboxes, as
 * Server-Sent Events, for the web UI's "All mail" view (issue #13.1). A live overview, not a
 * gap-free feed: a reader that reconnects lists `GET /api/v1/mailboxes?group=catch-all` again,
 * and each mailbox's own stream (`…/{address}/events`) is the one that replays by seq.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../core/auth.js';
import { caughtMailFor } from '../../core/catch-all.js';
import type { CoreDeps } from '../../core/context.js';
import { DomainError } from '../../core/errors.js';
import type { MailboxEvent } from '../../core/events.js';
import { openEventStream } from '../realtime/sse.js';
import type { RealtimeSettings } from '../realtime/ws.js';
import { credentialsFrom } from '../request.js';

export function catchAllRoutes(app: FastifyInstance, deps: CoreDeps, settings: RealtimeSettings): void {
  app.get<{ Querystring: { api_key?: string } }>(
    '/api/v1/catch-all/events',
    {
      schema: {
        summary: 'Caught mail, live (Server-Sent Events)',
        description:
          'new_message events of every mailbox catch-all created for the caller (the key owner\'s; in development without a catch-all owner, loopback clients get the unowned ones without credentials), and ping. List the mailboxes with GET /api/v1/mailboxes?group=catch-all.',
        tags: ['events'],
        querystring: { type: 'object', properties: { api_key: { type: 'string', description: 'API key (for EventSource, which cannot set headers)' } } },
      },
    },
    async (request, reply) => {
      if (!settings.originAllowed(request.headers.origin, request.headers.host)) throw new DomainError('forbidden', 'origin not allowed');
      const principal = await authenticate(deps, credentialsFrom(request, true));
      const caught = caughtMailFor(deps, principal);

      const res = openEventStream(reply, deps.metrics);
      let unsubscribe: (() => void) | null = null;
      const end = () => {
        unsubscribe?.();
        unsubscribe = null;
        clearInterval(ping);
        if (!res.writableEnded) res.end();
      };
      const send = (ev: MailboxEvent | { event: 'ping' }) => {
        if (res.writableEnded) return;
        // a reader that does not read must not make us buffer without bound
        if (res.writableLength > settings.maxBufferedBytes) return end();
        res.write(`event: ${ev.event}\ndata: ${JSON.stringify(ev)}\n\n`);
      };
      const ping = setInterval(() => send({ event: 'ping' }), settings.pingIntervalMs);
      ping.unref();
      res.once('close', end);
      try {
        const off = await caught.follow((ev) => send(ev));
        if (res.writableEnded) off();
        else unsubscribe = off;
      } catch (err) {
        request.log.error({ err }, 'catch-all stream setup failed');
        end();
      }
    },
  );
}
