/**
 * The Redis bus: the scale pair's event transport, so a WebSocket on node A hears about a message
 * accepted on node B. Each process holds exactly two Redis connections, whatever the number of
 * WebSockets: one publisher and one subscriber, with local fan-out from a channel to this
 * process's handlers (the seed design opened one Redis connection per WebSocket).
 *
 * Failure stance: a publish while Redis is down rejects at once (no offline queue, a short
 * command timeout), so delivery is never held up by the bus; the caller logs it and
 * `publishFailures` counts it. Both connections reconnect by themselves; ioredis re-subscribes
 * the subscriber's channels on reconnect (autoResubscribe), and clients that were streaming
 * catch up through `since=` (DESIGN: Events). Not for: the in-process bus (`memory.ts`).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { DomainError } from '../core/errors.js';
import type { Bus, ControlEvent, ControlHandler, EventHandler, MailboxEvent } from '../core/events.js';
import type { Logger } from '../core/log.js';

export interface RedisBusOptions {
  /** redis:// or rediss:// (TLS); passed to ioredis as is. */
  url: string;
  /** inserted into channel names, `inboxd:<keyPrefix>mailbox:<address>` and `inboxd:<keyPrefix>control`; include your separator. */
  keyPrefix?: string;
  /** how long a publish (or a health PING) may wait for Redis before it fails. */
  commandTimeoutMs?: number;
  /** how long subscribe() waits for the subscriber connection to be ready and the SUBSCRIBE acknowledged. */
  subscribeTimeoutMs?: number;
  /** longest pause between reconnection attempts. */
  maxReconnectDelayMs?: number;
  log?: Logger;
}

/** creates the bus and waits (boundedly) for its first connection; a Redis that is down is not fatal. */
export async function createRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const bus = new RedisBus(options);
  await bus.ready(options.subscribeTimeoutMs ?? 3000).catch(() => {
    options.log?.warn({ component: 'bus' }, 'Redis is not reachable yet; the bus keeps reconnecting');
  });
  return bus;
}

export class RedisBus implements Bus {
  /** publishes that failed since start (Redis down or too slow); delivery is never held up by them. */
  publishFailures = 0;

  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  /** the one channel of ControlEvents (key revocations). */
  private readonly controlChannel: string;
  private readonly subscribeTimeoutMs: number;
  /** by channel; a channel's handlers all take the same kind of event (mailbox or control). */
  private readonly handlers = new Map<string, Set<(event: never) => void>>();
  private readonly resyncs = new Map<string, Set<() => void>>();
  /** channels whose UNSUBSCRIBE could not be sent (Redis down): retried once it is back. */
  private readonly stale = new Set<string>();
  private readonly log: Logger | undefined;
  private closed = false;

  constructor(options: RedisBusOptions) {
    this.prefix = `inboxd:${options.keyPrefix ?? ''}mailbox:`;
    this.controlChannel = `inboxd:${options.keyPrefix ?? ''}control`;
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 3000;
    this.log = options.log?.child({ component: 'bus' });
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    const common: RedisOptions = {
      commandTimeout: options.commandTimeoutMs ?? 1000,
      // nothing waits in a client-side queue while Redis is down: callers are told at once
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, maxDelay),
      connectTimeout: 5000,
    };
    this.publisher = new Redis(options.url, {
      ...common,
      autoResendUnfulfilledCommands: false,
      // the publishes of one committed batch go out in one write (each keeps its own timeout and answer)
      enableAutoPipelining: true,
      connectionName: 'inboxd-pub',
    });
    this.subscriber = new Redis(options.url, {
      ...common,
      commandTimeout: this.subscribeTimeoutMs,
      autoResubscribe: true,
      connectionName: 'inboxd-sub',
    });
    for (const [name, conn] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      let wasReady = false;
      // without an 'error' listener ioredis prints every failed reconnection attempt
      conn.on('error', (err: Error) => this.log?.debug({ connection: name, err: err.message }, 'Redis connection error'));
      conn.on('ready', () => {
        if (wasReady) this.log?.info({ connection: name }, 'Redis connection restored');
        wasReady = true;
      });
      conn.on('close', () => {
        if (wasReady && !this.closed) this.log?.warn({ connection: name }, 'Redis connection lost; reconnecting');
      });
    }
    let subscriberWasReady = false;
    this.subscriber.on('ready', () => {
      this.dropStale();
      if (subscriberWasReady) void this.resync();
      subscriberWasReady = true;
    });
    this.subscriber.on('message', (channel: string, payload: string) => this.dispatch(channel, payload));
  }

  /** resolves once both connections are ready, or rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    await Promise.all([waitReady(this.publisher, timeoutMs), waitReady(this.subscriber, timeoutMs)]);
  }

  async publish(address: string, event: MailboxEvent): Promise<void> {
    return this.send(this.prefix + address, event);
  }

  async publishControl(event: ControlEvent): Promise<void> {
    return this.send(this.controlChannel, event);
  }

  async subscribeControl(handler: ControlHandler): Promise<() => void> {
    return this.listen(this.controlChannel, handler);
  }

  private async send(channel: string, event: MailboxEvent | ControlEvent): Promise<void> {
    try {
      await this.publisher.publish(channel, JSON.stringify(event));
    } catch (err) {
      this.publishFailures += 1;
      throw new DomainError('storage_unavailable', `event bus unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * resolves once Redis has acknowledged the SUBSCRIBE, so an event published after this
   * resolves reaches `handler` (replay-then-stream relies on it). Every call sends SUBSCRIBE,
   * even for a channel this process already listens to: Redis treats it as a no-op, and its
   * answer proves the channel is live on the current connection (it may have just reconnected).
   */
  async subscribe(address: string, handler: EventHandler, onResync?: () => void): Promise<() => void> {
    return this.listen(this.prefix + address, handler, onResync);
  }

  private async listen(channel: string, handler: (event: never) => void, onResync?: () => void): Promise<() => void> {
    if (this.closed) throw new DomainError('storage_unavailable', 'event bus closed');
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    if (onResync) {
      let r = this.resyncs.get(channel);
      if (!r) this.resyncs.set(channel, (r = new Set()));
      r.add(onResync);
    }
    this.stale.delete(channel);
    const unsubscribe = () => {
      if (onResync) {
        const r = this.resyncs.get(channel);
        r?.delete(onResync);
        if (r?.size === 0) this.resyncs.delete(channel);
      }
      if (!set.delete(handler) || set.size > 0) return;
      if (this.handlers.get(channel) === set) this.handlers.delete(channel);
      if (!this.closed) {
        this.subscriber.unsubscribe(channel).catch(() => {
          if (!this.handlers.has(channel)) this.stale.add(channel);
        });
      }
    };
    try {
      await waitReady(this.subscriber, this.subscribeTimeoutMs);
      await this.subscriber.subscribe(channel);
    } catch (err) {
      unsubscribe();
      throw new DomainError('storage_unavailable', `event bus unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    return unsubscribe;
  }

  /** true when both connections are up and Redis answers a PING in time. */
  async healthy(): Promise<boolean> {
    if (this.closed || this.publisher.status !== 'ready' || this.subscriber.status !== 'ready') return false;
    try {
      return (await this.publisher.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.resyncs.clear();
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
  }

  private dispatch(channel: string, payload: string): void {
    const set = this.handlers.get(channel);
    if (!set) return;
    let event: never;
    try {
      event = JSON.parse(payload) as never;
    } catch {
      this.log?.warn({ channel }, 'ignored a malformed event');
      return;
    }
    for (const h of [...set]) {
      try {
        h(event);
      } catch {
        // a subscriber's own failure is its business; the others still get the event
      }
    }
  }

  /**
   * after a reconnect: make sure every channel with listeners is subscribed again (SUBSCRIBE is
   * idempotent, and its answer proves it is live), then tell the listeners to read what they
   * missed while Redis was away.
   */
  private async resync(): Promise<void> {
    const channels = [...this.resyncs.keys()];
    if (channels.length === 0) return;
    try {
      await this.subscriber.subscribe(...channels);
    } catch (err) {
      this.log?.warn({ err }, 'resubscribe after reconnect failed; listeners resync on the next reconnect');
      return;
    }
    this.log?.info({ channels: channels.length }, 'resubscribed after reconnect; listeners catch up from the store');
    for (const c of channels) {
      for (const fn of [...(this.resyncs.get(c) ?? [])]) {
        try {
          fn();
        } catch {
          // a listener's own failure is its business
        }
      }
    }
  }

  /** ioredis re-subscribes every channel it knew; drop those nobody here listens to any more. */
  private dropStale(): void {
    const gone = [...this.stale].filter((c) => !this.handlers.has(c));
    this.stale.clear();
    if (gone.length > 0) {
      this.subscriber.unsubscribe(...gone).catch(() => {
        for (const c of gone) if (!this.handlers.has(c)) this.stale.add(c);
      });
    }
  }
}

function waitReady(conn: Redis, timeoutMs: number): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  if (conn.status === 'end') return Promise.reject(new Error('connection closed'));
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      conn.off('ready', onReady);
      conn.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('connection closed'));
    const timer = setTimeout(() => done(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    conn.on('ready', onReady);
    conn.on('end', onEnd);
  });
}

async function quit(conn: Redis): Promise<void> {
  if (conn.status === 'ready') {
    try {
      await conn.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  conn.disconnect();
}
