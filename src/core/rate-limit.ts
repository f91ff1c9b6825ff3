/**
 * A fixed-window counter per key (anonymous creations per client address per minute). In
 * memory and per process: with N nodes the effective limit is N × rate, which is the usual
 * trade for a limit that costs nothing on the hot path.
 */
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  /** @param perMinute 0 = no limit */
  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** @throws DomainError rate_limited with retry_after seconds */
  take(key: string): void {
    if (this.perMinute <= 0) return;
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 100_000) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.perMinute) {
      throw new DomainError('rate_limited', 'too many anonymous mailboxes created from this address this minute: try again later, or create mailboxes with an API key', {
        retry_after: Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)),
      });
    }
    w.count++;
  }

  /** true when `key` has used its share of the current window (without counting a use). */
  blocked(key: string): boolean {
    if (this.perMinute <= 0) return false;
    const w = this.windows.get(key);
    return !!w && this.clock.now() - w.start < 60_000 && w.count >= this.perMinute;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
  }
}
