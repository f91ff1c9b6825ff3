/**
 * WS /ws/inbox/{address}: the mailbox's feed (core/feed.ts) serialised as WebSocket frames. Auth by `token=` / `api_key=` query
 * (the seed design's clients) or headers; a refused client is accepted and closed with 1008 so
 * browsers see a reason. The Origin allow-list is checked before the upgrade.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { authenticate, openMailbox } from '../../core/auth.js';
import type { CoreDeps } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { isFinalEvent, type MailboxEvent } from '../../core/events.js';
import { credentialsFrom } from '../request.js';
import { openFeed } from '../../core/feed.js';
import { watchKey } from '../../core/keys.js';
import { sendError } from '../errors.js';
import { streamOpened } from './open-streams.js';

export interface RealtimeSettings {
  pingIntervalMs: number;
  maxBufferedBytes: number;
  /** true when the Origin header (if any) may open a socket. */
  originAllowed(origin: string | undefined, host: string | undefined): boolean;
  /** true when the Host header names this server (DNS rebinding: see http/host-check.ts). */
  hostAllowed(request: FastifyRequest): boolean;
  /** aborted when the server starts shutting down (http/drain.ts closes WebSockets with 1001). */
  draining?: AbortSignal;
}

/** WebSocket close codes: 1008 policy violation (refused); 4000 + HTTP-ish reasons for app closes. */
const CLOSE_REFUSED = 1008;
const CLOSE_NORMAL = 1000;
const CLOSE_FAILED = 1011;

export function wsRoutes(app: FastifyInstance, deps: CoreDeps, settings: RealtimeSettings): void {
  app.get<{ Params: { address: string }; Querystring: { since?: string; token?: string; api_key?: string } }>(
    '/ws/inbox/:address',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!settings.hostAllowed(request)) {
          return sendError(reply, 'forbidden', 'Host not allowed (add the origin to INBOXD_ALLOWED_ORIGINS)');
        }
        if (!settings.originAllowed(request.headers.origin, request.headers.host)) {
          return sendError(reply, 'forbidden', 'origin not allowed');
        }
      },
    },
    (socket: WebSocket, request) => {
      let stream: { close(): void } | null = null;
      let unwatch: (() => void) | null = null;
      let ping: NodeJS.Timeout | null = null;
      const cleanup = () => {
        stream?.close();
        stream = null;
        unwatch?.();
        unwatch = null;
        if (ping) clearInterval(ping);
        ping = null;
      };
      socket.once('close', streamOpened(deps.metrics, 'ws'));
      socket.on('close', cleanup);
      socket.on('error', cleanup);
      // the client has nothing to say; anything it sends is ignored (maxPayload bounds it)
      socket.on('message', () => undefined);

      const send = (ev: MailboxEvent | { event: 'ping' }) => {
        if (socket.readyState !== socket.OPEN) return;
        // a reader that does not read must not make us buffer without bound
        if (socket.bufferedAmount > settings.maxBufferedBytes) {
          socket.terminate();
          return;
        }
        socket.send(JSON.stringify(ev));
        if (ev.event !== 'ping' && isFinalEvent(ev)) socket.close(CLOSE_NORMAL, ev.event);
      };

      void (async () => {
        const sinceRaw = request.query.since;
        const since = sinceRaw === undefined || sinceRaw === '' ? undefined : Number(sinceRaw);
        if (since !== undefined && (!Number.isInteger(since) || since < 0)) {
          socket.close(CLOSE_REFUSED, 'since must be a non-negative integer');
          return;
        }
        try {
          const principal = await authenticate(deps, credentialsFrom(request, true));
          const mailbox = await openMailbox(deps, principal, request.params.address);
          if (socket.readyState !== socket.OPEN) return;
          // a revoked key's stream ends at once, here or on any node (core/keys.ts)
          if (principal.kind === 'user') {
            unwatch = await watchKey(deps, principal.keyId, () => socket.close(CLOSE_REFUSED, 'unauthorized'), settings.pingIntervalMs);
          }
          stream = await openFeed(deps, mailbox, {
            consumer: 'ws',
            since,
            onEvent: send,
            // a gap could not be filled: the client reconnects with since= and gets it then
            onError: (err) => {
              request.log.error({ err }, 'websocket feed failed');
              socket.close(CLOSE_FAILED, 'internal_error');
            },
          });
          if (socket.readyState !== socket.OPEN) return cleanup();
          ping = setInterval(() => send({ event: 'ping' }), settings.pingIntervalMs);
          ping.unref();
        } catch (err) {
          cleanup();
          if (isDomainError(err)) socket.close(CLOSE_REFUSED, err.code);
          else {
            request.log.error({ err }, 'websocket setup failed');
            socket.close(CLOSE_FAILED, 'internal_error');
          }
        }
      })();
    },
  );
}
