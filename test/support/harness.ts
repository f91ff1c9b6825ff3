/**
 * Starts a real Inboxd (HTTP + SMTP on port 0) and gives tests real clients: fetch for HTTP,
 * nodemailer for SMTP, ws for WebSocket. Nothing here mocks our own parts.
 *
 * The pair under test is chosen by INBOXD_TEST_PAIR: `embedded` (default: a fresh SQLite file in a
 * temp folder, the in-process bus) or `scale` (PostgreSQL at INBOXD_TEST_DATABASE_URL in a fresh
 * schema, Redis at INBOXD_TEST_REDIS_URL under a fresh key prefix). The same tests run on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/load.js';
import type { SettingKey } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import type { Bus } from '../../src/core/events.js';
import { type FeedConsumer, openFeeds } from '../../src/core/feed.js';
import { hashSecret, newApiKey } from '../../src/core/tokens.js';
import { dropSchema, uniqueName } from './scale-env.js';
import { type Inboxd, startInboxd } from '../../src/roles.js';

export interface TestServer {
  inboxd: Inboxd;
  url: string;
  smtpPort: number;
  dataDir: string;
  api(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  send(mail: SendMailOptions & { envelope?: { from?: string; to?: string | string[] } }): Promise<SentInfo>;
  /** creates a user on `plan` and an API key for it, through the store interface. */
  userWithKey(plan?: string): Promise<{ userId: string; key: string; email: string }>;
  /** creates an anonymous mailbox; returns its address and session token. */
  anonymousMailbox(ttlMinutes?: number): Promise<{ address: string; token: string; body: any }>;
  ws(path: string): Promise<WsClient>;
  /**
   * resolves once exactly `count` feeds of `consumer` are open and live on this server (throws
   * after `withinMs`, default 10 s): what happens next reaches them through the live path, not a
   * stored-message scan.
   */
  feedsLive(consumer: FeedConsumer, count?: number, withinMs?: number): Promise<void>;
  /** opens an SSE stream with fetch; resolves once the response headers are in. */
  sse(path: string, headers?: Record<string, string>): Promise<SseClient>;
  close(): Promise<void>;
}

export interface SentInfo {
  response: string;
  accepted: string[];
  rejected: string[];
}

export interface WsClient {
  socket: WebSocket;
  events: any[];
  /** resolves with the next event matching `pred` (already received ones count). */
  next(pred?: (e: any) => boolean, timeoutMs?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** resolves with the next event matching `pred` (already received ones count, each once). */
  next(pred?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

let counter = 0;

export type Pair = 'embedded' | 'scale';

/** the store/bus pair this run tests (INBOXD_TEST_PAIR); a scale run without its services fails. */
export function testPair(): Pair {
  const pair = process.env.INBOXD_TEST_PAIR ?? 'embedded';
  if (pair !== 'embedded' && pair !== 'scale') throw new Error(`INBOXD_TEST_PAIR must be embedded or scale, got ${pair}`);
  if (pair === 'scale') {
    for (const v of ['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL']) {
      if (!process.env[v]) throw new Error(`INBOXD_TEST_PAIR=scale needs ${v}`);
    }
  }
  return pair;
}

/** config overrides that put a test server on the scale pair, isolated from every other server. */
function scaleOverrides(): { overrides: Partial<Record<SettingKey, unknown>>; cleanup: () => Promise<void> } {
  const schema = uniqueName('h');
  const url = process.env.INBOXD_TEST_DATABASE_URL!;
  return {
    overrides: {
      database_url: url,
      database_schema: schema,
      database_pool_size: 4,
      redis_url: process.env.INBOXD_TEST_REDIS_URL!,
      redis_key_prefix: `${schema}:`,
    },
    cleanup: () => dropSchema(url, schema),
  };
}

export async function startTestServer(overrides: Partial<Record<SettingKey, unknown>> = {}, opts: { clock?: Clock; seededPlans?: boolean; bus?: Bus } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-test-'));
  const scale = testPair() === 'scale' && !('data_dir' in overrides) ? scaleOverrides() : null;
  const config = loadConfig({
    overrides: {
      ...scale?.overrides,
      // the suite runs with production's closed defaults (catch-all and SMTP AUTH off, anonymous
      // cap on); a test about the development defaults passes env: 'development'
      env: 'test',
      http_port: 0,
      smtp_port: 0,
      data_dir: dataDir,
      log_level: 'silent',
      sweep_interval: 3600,
      parse_workers: 1,
      // a test that moves time with a ManualClock sweeps by it, not by the database's clock
      ...(opts.clock ? { sweep_clock: 'node' } : {}),
      ...overrides,
    },
  });
  const inboxd = await startInboxd(config, { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.bus ? { bus: opts.bus } : {}) });
  // every test talks from 127.0.0.1; lift the anonymous cap unless a test is about that cap
  if (!opts.seededPlans) await inboxd.core.store.updatePlan('free', { maxMailboxes: -1 });
  const url = inboxd.http!.url;
  const smtpPort = inboxd.smtp!.port;

  const server: TestServer = {
    inboxd,
    url,
    smtpPort,
    dataDir,
    async api(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body: o.body !== undefined ? JSON.stringify(o.body) : undefined });
      const text = await res.text();
      let body: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
      return { status: res.status, body, headers: res.headers };
    },
    async send(mail) {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
      try {
        const info = await transport.sendMail({ from: 'sender@example.com', ...mail });
        return { response: info.response, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
      } finally {
        transport.close();
      }
    },
    async userWithKey(plan = 'free') {
      const store = inboxd.core.store;
      const email = `user${++counter}-${Date.now()}@example.com`;
      const user = await store.createUser({ email, plan });
      const { key, prefix } = newApiKey();
      await store.createApiKey({ userId: user.id, name: 'test', keyHash: hashSecret(key), prefix });
      return { userId: user.id, key, email };
    },
    async anonymousMailbox(ttlMinutes) {
      const res = await server.api('POST', '/api/v1/mailboxes' + (ttlMinutes ? `?ttl_minutes=${ttlMinutes}` : ''));
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { address: res.body.address, token: res.body.session_token, body: res.body };
    },
    ws(path) {
      return connectWs(url.replace(/^http/, 'ws') + path);
    },
    async feedsLive(consumer, count = 1, withinMs = 10_000) {
      const deadline = Date.now() + withinMs;
      while (openFeeds(inboxd.core, consumer) !== count) {
        if (Date.now() > deadline) throw new Error(`${openFeeds(inboxd.core, consumer)} ${consumer} feeds live, expected ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    sse(path, headers = {}) {
      return connectSse(url + path, headers);
    },
    async close() {
      await inboxd.close();
      await scale?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export function connectWs(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const events: any[] = [];
    const waiters: { pred: (e: any) => boolean; resolve: (e: any) => void }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((res) => socket.on('close', (code, reason) => res({ code, reason: reason.toString() })));
    socket.on('message', (data) => {
      const ev = JSON.parse(data.toString());
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(ev);
        }
      }
    });
    socket.once('open', () =>
      resolve({
        socket,
        events,
        closed,
        close: () => socket.close(),
        next(pred = () => true, timeoutMs = 10_000) {
          const seen = events.find(pred);
          if (seen) {
            // consume it so repeated next() calls walk forward
            events.splice(events.indexOf(seen), 1);
            return Promise.resolve(seen);
          }
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('timed out waiting for a WebSocket event')), timeoutMs);
            waiters.push({
              pred,
              resolve: (e) => {
                clearTimeout(t);
                events.splice(events.indexOf(e), 1);
                res(e);
              },
            });
          });
        },
      }),
    );
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
}

/** an SSE stream read with fetch, parsed into events the way EventSource would. */
export async function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const events: SseEvent[] = [];
  const waiters: { pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const take = (e: SseEvent) => events.splice(events.indexOf(e), 1);
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += Buffer.from(value).toString();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { event: 'message', data: null };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
          }
          if (!ev.data) continue;
          events.push(ev);
          const w = waiters.find((x) => x.pred(ev));
          if (w) {
            waiters.splice(waiters.indexOf(w), 1);
            take(ev);
            w.resolve(ev);
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    events,
    ended,
    close: () => ctrl.abort(),
    next(pred = () => true, timeoutMs = 10_000) {
      const seen = events.find(pred);
      if (seen) {
        take(seen);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for an SSE event')), timeoutMs);
        waiters.push({
          pred,
          resolve: (e) => {
            clearTimeout(t);
            resolve(e);
          },
        });
      });
    },
  };
}

/** a raw SMTP session for what nodemailer will not send (malformed input, drip-feeding). */
export { rawSmtp } from './raw-smtp.js';
