import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, nextRetryAt } from './schedule.js';

describe('webhook retry schedule', () => {
  it('makes at least 8 attempts spread over more than 24 hours, whatever the jitter', () => {
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    for (const random of [0, 0.5, 0.999]) {
      let at = 0;
      let attempts = 1;
      for (let next = nextRetryAt(attempts, at, random); next !== null; next = nextRetryAt(attempts, at, random)) {
        expect(next).toBeGreaterThan(at);
        at = next;
        attempts++;
      }
      expect(attempts).toBe(MAX_ATTEMPTS);
      expect(at).toBeGreaterThan(24 * 3_600_000);
    }
  });

  it('grows: each delay is longer than or equal to the one before', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => nextRetryAt(i + 1, 0, 0.5)!);
    expect([...delays].sort((a, b) => a - b)).toEqual(delays);
    expect(nextRetryAt(MAX_ATTEMPTS, 0, 0.5)).toBeNull();
  });
});
