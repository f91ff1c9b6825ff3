/**
 * Delivers an SNS message once however often it arrives: SNS delivers at least once, and retries
 * whatever it did not see answered 2xx. Kept in this process's memory, bounded in size and age:
 * enough for one node, and for a fleet in the common case, but a retry that lands on another node
 * (or after a restart) right after a commit whose answer was lost is delivered again. A key is
 * remembered only after its work succeeded, so a failure (answered 5xx) is retried for real; a
 * copy arriving while the first is still in flight waits for the first's outcome.
 */

export interface Dedupe {
  /** runs `work` unless one of `keys` already succeeded (then `duplicate` is true and `work` is not run). */
  run<T>(keys: readonly string[], work: () => Promise<T>): Promise<{ duplicate: boolean; result: T | null }>;
}

export function createDedupe(opts: { ttlMs: number; maxEntries: number; now: () => number }): Dedupe {
  // insertion order = age order, so the oldest entries are the first ones dropped
  const done = new Map<string, number>();
  const inFlight = new Map<string, Promise<unknown>>();

  function seen(key: string): boolean {
    const at = done.get(key);
    if (at === undefined) return false;
    if (opts.now() - at > opts.ttlMs) {
      done.delete(key);
      return false;
    }
    return true;
  }

  function remember(keys: readonly string[]) {
    const at = opts.now();
    for (const key of keys) {
      done.delete(key);
      done.set(key, at);
    }
    while (done.size > opts.maxEntries) done.delete(done.keys().next().value!);
  }

  return {
    async run(keys, work) {
      for (;;) {
        if (keys.some(seen)) return { duplicate: true, result: null };
        const pending = keys.map((k) => inFlight.get(k)).find((p) => p !== undefined);
        if (!pending) break;
        // the first copy decides: after it, this one is either a duplicate or tries itself
        await pending.catch(() => undefined);
      }
      const p = work();
      for (const key of keys) inFlight.set(key, p);
      try {
        const result = await p;
        remember(keys);
        return { duplicate: false, result };
      } finally {
        for (const key of keys) if (inFlight.get(key) === p) inFlight.delete(key);
      }
    },
  };
}
