/**
 * The recipient-guessing throttle (#14 item 1): a client that collects `limit` unknown-recipient
 * refusals within a window is slowed from half the limit on, then refused (421 4.7.0,
 * too_many_unknown_recipients) until its block has passed. Pure policy with an injected clock;
 * the SMTP edge decides whom it applies to and delays its replies. In memory and per node, like
 * `rate-limit.ts`: with N nodes a guesser gets N × limit tries per window, still far from a
 * dictionary.
 */
import type { Clock } from './clock.js';

export interface GuessThrottleSettings {
  /** unknown-recipient refusals per window before the client is blocked; 0 turns the throttle off. */
  limit: number;
  windowMs: number;
  /** how long a blocked client is refused. */
  blockMs: number;
}

/** where a client stands: `slow` from half the limit on, `blocked` once it reached it. */
export type GuessState = 'ok' | 'slow' | 'blocked';

interface Entry {
  start: number;
  count: number;
  blockedUntil: number;
}

/** keeps this many clients at most; past it, finished windows are dropped first. */
const MAX_TRACKED = 100_000;

export class GuessThrottle {
  private readonly clients = new Map<string, Entry>();

  constructor(
    private readonly settings: GuessThrottleSettings,
    private readonly clock: Clock,
  ) {}

  /** where `client` stands now, without counting anything. */
  state(client: string): GuessState {
    if (this.settings.limit <= 0) return 'ok';
    const e = this.clients.get(client);
    if (!e) return 'ok';
    const now = this.clock.now();
    if (e.blockedUntil > now) return 'blocked';
    if (now - e.start >= this.settings.windowMs) return 'ok';
    return e.count >= this.slowFrom() ? 'slow' : 'ok';
  }

  /** counts one unknown-recipient refusal for `client`; returns where it stands after it. */
  strike(client: string): GuessState {
    if (this.settings.limit <= 0) return 'ok';
    const now = this.clock.now();
    let e = this.clients.get(client);
    if (!e || (e.blockedUntil <= now && now - e.start >= this.settings.windowMs)) {
      if (this.clients.size >= MAX_TRACKED) this.prune(now);
      e = { start: now, count: 0, blockedUntil: 0 };
      this.clients.set(client, e);
    }
    e.count++;
    if (e.count >= this.settings.limit && e.blockedUntil <= now) {
      e.blockedUntil = now + this.settings.blockMs;
      // the next window starts when the block ends, so a blocked client starts again from zero
      e.start = e.blockedUntil;
      e.count = 0;
      return 'blocked';
    }
    return this.state(client);
  }

  /** clients blocked right now (a gauge for /metrics). */
  blocked(): number {
    const now = this.clock.now();
    let n = 0;
    for (const e of this.clients.values()) if (e.blockedUntil > now) n++;
    return n;
  }

  private slowFrom(): number {
    return Math.max(1, Math.ceil(this.settings.limit / 2));
  }

  private prune(now: number): void {
    for (const [k, e] of this.clients) if (e.blockedUntil <= now && now - e.start >= this.settings.windowMs) this.clients.delete(k);
    // still full (an address-rotating flood): forget the oldest half rather than grow
    if (this.clients.size >= MAX_TRACKED) {
      let drop = this.clients.size / 2;
      for (const k of this.clients.keys()) {
        if (drop-- <= 0) break;
        this.clients.delete(k);
      }
    }
  }
}
