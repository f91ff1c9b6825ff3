/**
 * Picks the bus implementation from config: Redis when a URL is set, else in-process. The Redis
 * client is imported lazily so the embedded default never loads it.
 */
import type { Config } from '../config/schema.js';
import type { Bus } from '../core/events.js';
import type { Logger } from '../core/log.js';

export async function createBus(config: Config, log?: Logger): Promise<Bus> {
  if (config.redis_url) {
    const { createRedisBus } = await import('./redis.js');
    return createRedisBus({ url: config.redis_url, keyPrefix: config.redis_key_prefix, ...(log ? { log } : {}) });
  }
  const { MemoryBus } = await import('./memory.js');
  return new MemoryBus();
}
