/**
 * Start-up as an operator meets it: the store and the bus are reached with retries and backoff
 * for a bounded time (INBOXD_STARTUP_RETRY), and every failure an operator can fix becomes a
 * StartupError — one line naming the setting and what to do, printed by main.ts without a stack
 * trace. roles.ts assembles the parts; this file only opens the doors to the outside.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createBus } from './bus/create-bus.js';
import { redactConfig } from './config/load.js';
import { type Config, envName, flagName, type SettingKey } from './config/schema.js';
import type { Bus } from './core/events.js';
import type { Logger } from './core/log.js';
import type { Store } from './core/store.js';
import { createStore } from './store/create-store.js';

/** a start-up failure the operator can fix; its message is the whole story, on one line. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** `INBOXD_X (--x)`: how an operator finds the setting. */
export const settingName = (key: SettingKey) => `${envName(key)} (${flagName(key)})`;

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

interface RetryOptions {
  log: Logger;
  /** when to stop retrying (ms since the epoch). */
  deadline: number;
}

/**
 * calls `attempt` until it succeeds or the deadline passes, waiting 250 ms, 500 ms, … up to 5 s
 * between tries. @returns the first success; @throws the last failure.
 */
async function retry<T>(what: string, attempt: () => Promise<T>, { log, deadline }: RetryOptions): Promise<T> {
  let delay = 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      const wait = Math.min(delay, left);
      log.warn({ component: 'startup', attempt: n, retry_in_ms: wait, err: reason(err) }, `${what} is not reachable yet; retrying`);
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** the deadline for reaching PostgreSQL and Redis, from now. */
export function startupDeadline(config: Config): number {
  return Date.now() + config.startup_retry * 1000;
}

/**
 * the configured store, reachable: PostgreSQL is retried until the deadline; the SQLite data
 * directory must be a writable folder.
 * @throws StartupError
 */
export async function openStore(config: Config, log: Logger, deadline: number): Promise<Store> {
  if (!config.database_url) {
    try {
      mkdirSync(config.data_dir, { recursive: true });
      accessSync(config.data_dir, constants.W_OK);
      return await createStore(config);
    } catch (err) {
      throw new StartupError(
        `the data directory ${JSON.stringify(config.data_dir)} is not usable (${reason(err)}); set ${settingName('data_dir')} to a folder this user can write, or set ${settingName('database_url')}`,
      );
    }
  }
  const url = String(redactConfig(config).database_url);
  try {
    return await retry(
      'PostgreSQL',
      async () => {
        const store = await createStore(config);
        try {
          await store.ping();
          return store;
        } catch (err) {
          await store.close().catch(() => undefined);
          throw err;
        }
      },
      { log, deadline },
    );
  } catch (err) {
    throw new StartupError(
      `cannot reach PostgreSQL at ${url} (${settingName('database_url')}) after ${config.startup_retry} s: ${reason(err)}; check the URL and that PostgreSQL is running, or wait longer with ${settingName('startup_retry')}`,
    );
  }
}

/**
 * the configured bus, reachable: Redis is given until the deadline to answer (its client
 * reconnects with backoff meanwhile).
 * @throws StartupError
 */
export async function openBus(config: Config, log: Logger, deadline: number): Promise<Bus> {
  const bus = await createBus(config, log);
  if (!config.redis_url) return bus;
  try {
    await retry(
      'Redis',
      async () => {
        if (!(await bus.healthy())) throw new Error('no answer to PING');
      },
      { log, deadline },
    );
    return bus;
  } catch (err) {
    await bus.close().catch(() => undefined);
    throw new StartupError(
      `cannot reach Redis at ${String(redactConfig(config).redis_url)} (${settingName('redis_url')}) after ${config.startup_retry} s: ${reason(err)}; check the URL and that Redis is running, or wait longer with ${settingName('startup_retry')}`,
    );
  }
}

/** what to say when a listener cannot bind (port in use, privileged port, no such address). */
export function listenError(err: unknown, what: 'HTTP' | 'SMTP' | 'SMTPS', host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const hostKey = what === 'HTTP' ? 'http_host' : 'smtp_host';
  const portKey = what === 'HTTP' ? 'http_port' : what === 'SMTP' ? 'smtp_port' : 'smtps_port';
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new StartupError(`cannot listen for ${what} on ${where}: the port is in use; stop the other process or set ${settingName(portKey)} to a free port (0 = any)`);
  }
  if (code === 'EACCES') {
    return new StartupError(`cannot listen for ${what} on ${where}: permission denied (ports below 1024 need privileges); set ${settingName(portKey)} to 1024 or above, or grant CAP_NET_BIND_SERVICE`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(`cannot listen for ${what} on ${where}: no such local address (${code}); set ${settingName(hostKey)} to an address of this machine (127.0.0.1, 0.0.0.0)`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
