/**
 * A real HTTP receiver for webhook tests: records every request (headers and the raw body, as a
 * receiver must verify it) and answers with the status a test chooses, per request.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** the status it was answered with. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** the status of the next answers (default 200); a function sees each request. */
  answer: number | ((r: Omit<ReceivedWebhook, 'status'>) => number);
  /** while true, requests are recorded but never answered (a receiver that hangs). */
  hold: boolean;
  /** resolves once `count` requests matching `pred` have come (throws after `ms`). */
  waitFor(count: number, pred?: (r: ReceivedWebhook) => boolean, ms?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const seen = { headers: req.headers, body, json };
      if (receiver.hold) {
        received.push({ ...seen, status: 0 });
        res.on('error', () => undefined);
        return wake();
      }
      const status = typeof receiver.answer === 'function' ? receiver.answer(seen) : receiver.answer;
      received.push({ ...seen, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      wake();
    });
  });
  function wake() {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    received,
    answer: 200,
    hold: false,
    async waitFor(count, pred = () => true, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hits = received.filter(pred);
        if (hits.length >= count) return hits;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${hits.length} webhook requests received, expected ${count}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
