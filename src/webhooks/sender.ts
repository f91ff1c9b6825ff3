/**
 * The HTTP half of the webhook outlet (core/webhooks/dispatcher.ts's transport): one signed POST
 * per attempt. The host is resolved and checked (targets.ts) before each attempt and the socket
 * goes to that checked address (SNI and the certificate check still use the host name);
 * redirects are never followed (a 3xx is a failed attempt); the connection must be up within
 * `connectTimeoutMs` and the answer complete within `timeoutMs`; at most 64 KB of the answer is
 * read. The signing secret is used here and never logged.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isDomainError } from '../core/errors.js';
import type { Message } from '../core/types.js';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../core/webhooks/dispatcher.js';
import { webhookBody } from './body.js';
import { signedHeaders } from './sign.js';
import { resolveTarget } from './targets.js';

export interface SenderSettings {
  allowPrivate: boolean;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** the User-Agent header. */
  userAgent?: string;
}

const MAX_ANSWER_BYTES = 65_536;

export function createWebhookTransport(settings: SenderSettings): WebhookTransport {
  return {
    body: (eventJson: string, message: Message | null | undefined, includeMessage: boolean) => webhookBody(eventJson, message, includeMessage),
    send: (req) => send(req, settings),
  };
}

async function send(req: WebhookRequest, settings: SenderSettings): Promise<WebhookResponse> {
  const started = performance.now();
  const latency = () => performance.now() - started;
  let target;
  try {
    target = await resolveTarget(new URL(req.url), settings.allowPrivate);
  } catch (err) {
    return { status: null, error: isDomainError(err) ? err.message : 'the target could not be resolved', latencyMs: latency() };
  }
  const { url, address, family } = target;
  // the socket connects to the address that was checked, whatever the resolver says now
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const headers = {
    'content-type': 'application/json',
    'user-agent': settings.userAgent ?? 'Inboxd-Webhooks/1',
    ...signedHeaders(req.secret, req.id, req.timestamp, req.body),
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookResponse>((resolve) => {
    let done = false;
    const finish = (status: number | null, error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(total);
      clearTimeout(connect);
      resolve({ status, error, latencyMs: latency() });
    };
    const r = request(url, { method: 'POST', headers, lookup, agent: false, timeout: settings.timeoutMs }, (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // the answer is not used; a receiver that streams forever must not hold us
        if (read > MAX_ANSWER_BYTES) {
          finish(res.statusCode ?? null, null);
          r.destroy();
        }
      });
      res.on('end', () => finish(res.statusCode ?? null, null));
      res.on('error', () => finish(res.statusCode ?? null, null));
    });
    const total = setTimeout(() => {
      finish(null, `no complete answer within ${settings.timeoutMs} ms`);
      r.destroy();
    }, settings.timeoutMs);
    const connect = setTimeout(() => {
      finish(null, `could not connect within ${settings.connectTimeoutMs} ms`);
      r.destroy();
    }, settings.connectTimeoutMs);
    r.on('socket', (socket) => {
      const up = () => clearTimeout(connect);
      if (!socket.connecting) up();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', up);
    });
    r.on('error', (err: NodeJS.ErrnoException) => finish(null, err.code ? `${err.code}: ${err.message}` : err.message));
    r.end(req.body);
  });
}
