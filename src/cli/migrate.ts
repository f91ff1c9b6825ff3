/**
 * `inboxd migrate`: bring the database schema up to date and exit.
 */
import { createStore } from '../store/create-store.js';
import { configFromProcess } from './env-config.js';

export async function migrate(argv: string[]): Promise<number> {
  const { config } = configFromProcess(argv);
  const store = await createStore(config);
  try {
    await store.migrate();
    process.stdout.write('migrations applied\n');
    return 0;
  } finally {
    await store.close();
  }
}
