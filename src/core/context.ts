/**
 * What every core service is built from: the two ports, the clock, a logger and the slice of
 * config core rules read. Assembled once by `roles.ts` (or a test) and passed in.
 */
import type { Clock } from './clock.js';
import type { Bus } from './events.js';
import type { Logger } from './log.js';
import type { Store } from '../store/store.js';

export interface CoreSettings {
  /** receiving domains; the first is the default for new mailboxes. */
  domains: readonly string[];
  anonymousPlan: string;
  defaultTtlMinutes: number;
  maxTtlMinutes: number;
  quarantineMs: number;
  /** the largest message any ingest accepts, whatever the plan. */
  maxMessageBytes: number;
}

export interface CoreDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  log: Logger;
  settings: CoreSettings;
}
