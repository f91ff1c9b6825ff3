/**
 * `inboxd migrate`: bring the database schema up to date and exit.
 */
import type { Logger } from '../core/log.js';
import { createLogger } from '../log.js';
import { openStore, startupDeadline } from '../startup.js';
import { configFromProcess } from './env-config.js';

export async function migrate(argv: string[]): Promise<number> {
  const { config } = configFromProcess(argv);
  const store = await openStore(config, createLogger(config.log_level, 2) as unknown as Logger, startupDeadline(config));
  try {
    await store.migrate();
    process.stdout.write('migrations applied\n');
    return 0;
  } finally {
    await store.close();
  }
}
