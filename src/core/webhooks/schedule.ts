/**
 * When a failed webhook is tried again (#15): exponential backoff with jitter over more than 24
 * hours and 8 attempts, the schedule Standard Webhooks senders use (immediately, 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h). Pure, so it is unit-tested without a clock.
 */

/** the delay before attempt n+2, after attempt n+1 failed (ms). */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** attempts in all, the first one included. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * when attempt `attempt + 1` is due after attempt `attempt` (1-based) failed at `now`, or null
 * when it was the last. Jitter of ±10% spreads the retries of an outage's backlog; with it the
 * schedule still spans more than 24 hours (0.9 × 27.6 h).
 * @param random a number in [0, 1) (Math.random in production; fixed in tests).
 */
export function nextRetryAt(attempt: number, now: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  return now + Math.round(base * (0.9 + 0.2 * random));
}
