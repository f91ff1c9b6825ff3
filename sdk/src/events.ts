/**
 * `Mailbox.events()`: the WebSocket stream `/ws/inbox/{address}` as an async iterator that
 * survives network blips and server restarts. Every (re)connect passes `since=<last seq this
 * iterator yielded>`, so the server replays what was missed (DESIGN "No missed events"); the
 * iterator also drops any seq it already yielded, so a message is seen exactly once.
 *
 * Only the WHATWG WebSocket interface is used (`addEventListener`, `close`), so the browser's
 * class, Node 22's global and the `ws` package all work. Node 20 has no global WebSocket: there
 * the SDK loads `ws` (an optional peer dependency) on first use, or takes the `WebSocket` option.
 */
import { ERROR_CODES, type ErrorCode, InboxdError } from './errors.js';
import type { Transport } from './http.js';
import type { MailboxEvent } from './types.js';

/**
 * a WebSocket class with the WHATWG interface: `globalThis.WebSocket` in browsers and Node ≥ 22,
 * or `WebSocket` from the `ws` package.
 */
export type WebSocketConstructor = new (url: string) => unknown;

/** how `events()` reconnects after a dropped connection. */
export interface ReconnectOptions {
  /** the first retry's delay in ms (default 200); each failure doubles it, with jitter. */
  initialDelayMs?: number;
  /** the longest delay between retries in ms (default 10 000). */
  maxDelayMs?: number;
  /** give up (with a network_error) after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

/**
 * where the stream's connection stands, for a UI: `connecting` (a socket is opening), `live`
 * (open: events flow), `waiting` (dropped; the next attempt is in `retryInMs`), `ended` (the
 * iterator is done: `reason` is mailbox_deleted, mailbox_expired, aborted, or the error code it
 * threw).
 */
export type ConnectionState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'waiting'; retryInMs: number } | { kind: 'ended'; reason: string };

/** options of `Mailbox.events()`. */
export interface EventsOptions {
  /** told each time the connection's state changes; must not throw. */
  onState?: (state: ConnectionState) => void;
  /**
   * replay stored messages with a greater seq first. Default: the mailbox's current `last_seq`,
   * so only messages that arrive from now on are yielded, and none is lost across reconnects.
   */
  since?: number;
  /** stop iterating (the iterator then returns, without error) when this aborts. */
  signal?: AbortSignal;
  /** reconnect policy. */
  reconnect?: ReconnectOptions;
  /**
   * treat a connection as dead after this many ms without any frame (the server pings every
   * 30 s); default 75 000.
   */
  idleTimeoutMs?: number;
  /** a WebSocket class for this stream (overrides the client's `WebSocket` option). */
  WebSocket?: WebSocketConstructor;
}

/** what the iterator needs from its mailbox. */
export interface EventSource {
  transport: Transport;
  address: string;
  sessionToken: string | undefined;
  WebSocket: WebSocketConstructor | undefined;
  lastSeq(signal?: AbortSignal): Promise<number>;
}

/** the part of the WHATWG WebSocket interface the SDK uses. */
interface SocketLike {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}

type Item = { kind: 'open' } | { kind: 'frame'; data: unknown } | { kind: 'closed'; code: number; reason: string };

const KNOWN_CODES: ReadonlySet<string> = new Set<string>(ERROR_CODES);
/** close code the server uses for a refused socket (bad credentials, unknown or expired mailbox). */
const CLOSE_REFUSED = 1008;
/** a connection that lived this long counts as healthy: the next failure starts the backoff over. */
const HEALTHY_AFTER_MS = 5_000;

let wsModule: Promise<WebSocketConstructor> | undefined;

/** the WebSocket class to use: the given one, the global one, or `ws` loaded on demand. */
export function resolveWebSocket(given: WebSocketConstructor | undefined): Promise<WebSocketConstructor> {
  if (given) return Promise.resolve(given);
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return Promise.resolve(global);
  // a variable, so bundlers for the browser (which always has a global) do not try to include it
  const name = 'ws';
  wsModule ??= import(/* @vite-ignore */ name).then(
    (mod: { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor }) => {
      const ctor = mod.WebSocket ?? mod.default;
      if (!ctor) throw new Error('the ws module has no WebSocket export');
      return ctor;
    },
    (err: unknown) => {
      wsModule = undefined;
      throw new InboxdError('network_error', 0, 'no WebSocket available: on Node 20 install the "ws" package, or pass the WebSocket option', {}, { cause: err });
    },
  );
  return wsModule;
}

/** the stream's URL for a given `since`. */
function streamUrl(src: EventSource, since: number): string {
  const url = new URL(`${src.transport.baseUrl}/ws/inbox/${encodeURIComponent(src.address)}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  // browsers cannot set headers on a WebSocket: credentials go in the query (the server redacts them from logs)
  if (src.sessionToken) url.searchParams.set('token', src.sessionToken);
  else if (src.transport.apiKey) url.searchParams.set('api_key', src.transport.apiKey);
  url.searchParams.set('since', String(since));
  return url.toString();
}

/** one connection's events as a pull queue; `close()` ends it at once, whatever the socket does. */
class Connection {
  private readonly items: Item[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private readonly socket: SocketLike;

  constructor(Ctor: WebSocketConstructor, url: string, private readonly idleTimeoutMs: number) {
    this.socket = new Ctor(url) as SocketLike;
    this.touch();
    this.socket.addEventListener('open', () => this.push({ kind: 'open' }));
    this.socket.addEventListener('message', (e) => this.push({ kind: 'frame', data: e.data }));
    this.socket.addEventListener('close', (e) => this.finish(e.code ?? 1006, e.reason ?? ''));
    // an error is always followed by a close event; nothing to add
    this.socket.addEventListener('error', () => undefined);
  }

  /** the next item, waiting for one. */
  async next(): Promise<Item> {
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** closes the socket and ends the queue with a `closed` item. */
  close(code = 1000, reason = ''): void {
    if (!this.ended) this.finish(code, reason);
    try {
      if (this.socket.readyState <= 1) this.socket.close(code, reason);
    } catch {
      // closing a socket that is still connecting may throw in some implementations; it is gone either way
    }
  }

  private push(item: Item): void {
    if (this.ended) return;
    this.touch();
    this.items.push(item);
    this.wake?.();
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.push({ kind: 'closed', code, reason });
    this.ended = true;
    if (this.idle !== undefined) clearTimeout(this.idle);
  }

  /** restarts the idle watchdog: a silent connection (half-open, stuck handshake) is dropped. */
  private touch(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(4000, 'idle'), this.idleTimeoutMs);
  }
}

/** `text` of a frame, whatever the implementation hands over. */
function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
  return String(data);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * the iterator behind `Mailbox.events()`.
 *
 * @throws InboxdError when the server refuses the stream (unauthorized, forbidden,
 *   mailbox_not_found, mailbox_expired) or after `reconnect.maxAttempts` failed attempts (network_error)
 */
export async function* streamEvents(src: EventSource, o: EventsOptions = {}): AsyncGenerator<MailboxEvent, void, undefined> {
  const signal = o.signal;
  const Ctor = await resolveWebSocket(o.WebSocket ?? src.WebSocket);
  let lastSeq = o.since ?? (await src.lastSeq(signal));
  const initialDelay = o.reconnect?.initialDelayMs ?? 200;
  const maxDelay = o.reconnect?.maxDelayMs ?? 10_000;
  const maxAttempts = o.reconnect?.maxAttempts ?? Infinity;
  const idleTimeoutMs = o.idleTimeoutMs ?? 75_000;
  let failures = 0;
  let conn: Connection | undefined;
  const onAbort = () => conn?.close(1000, 'aborted');
  signal?.addEventListener('abort', onAbort);
  const tell = (state: ConnectionState) => o.onState?.(state);
  let endReason = 'aborted';
  try {
    while (!signal?.aborted) {
      tell({ kind: 'connecting' });
      conn = new Connection(Ctor, streamUrl(src, lastSeq), idleTimeoutMs);
      let openedAt = 0;
      let delivered = false;
      for (;;) {
        const item = await conn.next();
        if (item.kind === 'open') {
          openedAt = Date.now();
          tell({ kind: 'live' });
          continue;
        }
        if (item.kind === 'closed') {
          if (signal?.aborted) return;
          if (item.code === CLOSE_REFUSED) {
            const code: ErrorCode = KNOWN_CODES.has(item.reason) ? (item.reason as ErrorCode) : 'invalid_input';
            endReason = code;
            throw new InboxdError(code, 0, `event stream for ${src.address} refused: ${item.reason || 'policy violation'}`);
          }
          // the server says goodbye this way after mailbox_deleted / mailbox_expired (already yielded)
          if (item.code === 1000 && (item.reason === 'mailbox_deleted' || item.reason === 'mailbox_expired')) {
            endReason = item.reason;
            return;
          }
          break;
        }
        let ev: MailboxEvent | { event: 'ping' };
        try {
          ev = JSON.parse(frameText(item.data)) as MailboxEvent | { event: 'ping' };
        } catch {
          continue;
        }
        delivered = true;
        if (ev.event === 'ping') continue;
        if (ev.event === 'new_message') {
          if (ev.seq <= lastSeq) continue;
          lastSeq = ev.seq;
        }
        if (ev.event === 'mailbox_deleted' || ev.event === 'mailbox_expired') endReason = ev.event;
        yield ev;
        if (ev.event === 'mailbox_deleted' || ev.event === 'mailbox_expired') return;
      }
      conn.close();
      if (delivered || (openedAt > 0 && Date.now() - openedAt >= HEALTHY_AFTER_MS)) failures = 0;
      failures++;
      if (failures > maxAttempts) {
        endReason = 'network_error';
        throw new InboxdError('network_error', 0, `event stream for ${src.address}: gave up after ${maxAttempts} failed attempts`);
      }
      const delay = Math.min(maxDelay, initialDelay * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
      tell({ kind: 'waiting', retryInMs: Math.round(delay) });
      await sleep(delay, signal);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    conn?.close(1000, 'done');
    tell({ kind: 'ended', reason: endReason });
  }
}
