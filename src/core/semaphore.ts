/**
 * A counting semaphore: at most `limit` holders at once, the rest wait their turn in arrival
 * order. core/feed.ts uses one per server so a crowd of streams catching up at the same moment
 * (after a bus outage) queues here instead of exhausting the store's connection pool.
 */
export interface Semaphore {
  /** runs `fn` once a permit is free, and gives the permit back however `fn` ends. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** callers waiting for a permit now. */
  waiting(): number;
}

/** @param limit permits (at least 1). */
export function createSemaphore(limit: number): Semaphore {
  const max = Math.max(1, Math.floor(limit));
  let held = 0;
  const queue: (() => void)[] = [];

  const acquire = (): Promise<void> => {
    if (held < max) {
      held++;
      return Promise.resolve();
    }
    // the permit passes straight from the releaser to the next waiter, so `held` never dips
    return new Promise((resolve) => queue.push(resolve));
  };
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else held--;
  };

  return {
    async run(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    waiting: () => queue.length,
  };
}
