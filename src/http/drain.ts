/**
 * The HTTP edge's drain on shutdown (SIGTERM → roles.ts close → app.close()). From Fastify's
 * first preClose hook on: requests that still arrive and open long-polls answer 503
 * shutting_down with Retry-After (retryable, unlike a 408 "no mail"), WebSockets close with 1001
 * going away, SSE responses end (EventSource comes back with Last-Event-ID). The streams and the
 * wait route only listen to the one AbortSignal returned here.
 */
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

/** RFC 6455 §7.4.1: the endpoint is going away (a server going down). */
export const CLOSE_GOING_AWAY = 1001;

/**
 * installs the drain; call it before @fastify/websocket is registered, so its own preClose (which
 * closes sockets without a code) runs after ours.
 * @returns the signal aborted when the drain starts
 */
export function installDrain(app: FastifyInstance): AbortSignal {
  const draining = new AbortController();
  app.addHook('onRequest', async (_request, reply) => {
    if (draining.signal.aborted) return sendError(reply, 'shutting_down', 'the server is shutting down; retry');
  });
  app.addHook('preClose', (done) => {
    draining.abort();
    for (const socket of app.websocketServer?.clients ?? []) socket.close(CLOSE_GOING_AWAY, 'shutting_down');
    done();
  });
  return draining.signal;
}
