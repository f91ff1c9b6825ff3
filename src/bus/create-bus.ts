/**
 * Picks the bus implementation from config: Redis when a URL is set, else in-process.
 */
import type { Config } from '../config/schema.js';
import type { Bus } from '../core/events.js';

export async function createBus(config: Config): Promise<Bus> {
  if (config.redis_url) {
    throw new Error('INBOXD_REDIS_URL (--redis-url): the Redis bus is not built yet');
  }
  const { MemoryBus } = await import('./memory.js');
  return new MemoryBus();
}
