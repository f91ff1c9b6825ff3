/**
 * Picks the store implementation from config: PostgreSQL when a database URL is set, else the
 * SQLite file in the data directory. Implementations are imported lazily so the embedded default
 * never loads a PostgreSQL driver.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Store } from '../core/store.js';

export async function createStore(config: Config): Promise<Store> {
  if (config.database_url) {
    const { createPostgresStore } = await import('./postgres/store.js');
    return createPostgresStore({ url: config.database_url, poolSize: config.database_pool_size, connectTimeoutMs: config.database_connect_timeout, ...(config.database_schema ? { schema: config.database_schema } : {}) });
  }
  const { SqliteStore } = await import('./sqlite/store.js');
  return new SqliteStore({ file: join(config.data_dir, 'inboxd.db'), synchronous: config.sqlite_synchronous, busyTimeoutMs: config.sqlite_busy_timeout });
}
