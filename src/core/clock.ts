/**
 * Time is passed in, never read from a global, so expiry can be tested by moving a clock instead
 * of sleeping.
 */
export interface Clock {
  /** the current time in milliseconds since the epoch. */
  now(): number;
}

/** the wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** a clock tests can move by hand; starts at `start` (default: the wall clock's now). */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  /** moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
