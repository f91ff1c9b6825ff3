import { describe, expect, it } from 'vitest';
import { createDedupe } from './dedupe.js';

describe('createDedupe', () => {
  it('runs concurrent copies once and answers the later ones as duplicates', async () => {
    const d = createDedupe({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return 'done';
    };
    const results = await Promise.all([d.run(['a'], work), d.run(['a'], work), d.run(['b', 'a'], work)]);
    expect(runs).toBe(1);
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
  });

  it('forgets a failure, so the retry runs', async () => {
    const d = createDedupe({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    await expect(d.run(['k'], () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await d.run(['k'], async () => 1)).toEqual({ duplicate: false, result: 1 });
    expect((await d.run(['k'], async () => 2)).duplicate).toBe(true);
  });

  it('forgets keys after the TTL and beyond the size cap', async () => {
    let t = 0;
    const d = createDedupe({ ttlMs: 100, maxEntries: 2, now: () => t });
    await d.run(['x'], async () => 1);
    t = 101;
    expect((await d.run(['x'], async () => 1)).duplicate).toBe(false);
    await d.run(['y'], async () => 1);
    await d.run(['z'], async () => 1);
    expect((await d.run(['x'], async () => 1)).duplicate).toBe(false);
  });
});
