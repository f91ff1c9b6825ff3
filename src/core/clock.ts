/**
 * Time is passed in, never read from a global, so expiry can be tested by moving a clock instead
 * of sleeping. A clock also runs timers "at a time on this clock" (a mailbox's expiry), so a test
 * that moves a ManualClock fires them.
 */
export interface Clock {
  /** the current time in milliseconds since the epoch. */
  now(): number;
  /** calls `fn` once when the clock reads `at` or later; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** setTimeout's longest delay (about 24.8 days); a later time is reached in hops. */
const MAX_DELAY = 2 ** 31 - 1;

/** the wall clock. Its timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = at - Date.now();
      if (left <= 0) return fn();
      timer = setTimeout(arm, Math.min(left, MAX_DELAY));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/** a clock tests can move by hand; starts at `start` (default: the wall clock's now). */
export class ManualClock implements Clock {
  private t: number;
  private timers: { at: number; fn: () => void }[] = [];
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  at(at: number, fn: () => void): () => void {
    const timer = { at, fn };
    this.timers.push(timer);
    // due already: fire on the next turn, as a real timer would, never inside the caller
    if (at <= this.t) queueMicrotask(() => this.fire());
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** moves time forward by `ms` milliseconds, firing the timers that fall due, earliest first. */
  advance(ms: number): void {
    this.set(this.t + ms);
  }
  set(ms: number): void {
    this.t = ms;
    this.fire();
  }
  private fire(): void {
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fn();
  }
}
