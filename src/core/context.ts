/**
 * What every core service is built from: the two ports, the clock, a logger and the slice of
 * config core rules read. Assembled once by `roles.ts` (or a test) and passed in.
 */
import type { CatchAllSettings } from './catch-all.js';
import type { Clock } from './clock.js';
import type { Bus } from './events.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { AttachmentData, MessageContent } from './types.js';
import type { Store } from './store.js';

export interface CoreSettings {
  /** receiving domains; the first is the default for new mailboxes. */
  domains: readonly string[];
  anonymousPlan: string;
  defaultTtlMinutes: number;
  maxTtlMinutes: number;
  quarantineMs: number;
  /** the largest message any ingest accepts, whatever the plan. */
  maxMessageBytes: number;
  catchAll: CatchAllSettings;
  /** anonymous mailboxes created from loopback clients skip the plan's active-mailbox cap. */
  anonymousLoopbackUncapped: boolean;
  /** how long a delivery's commit may take before it is answered storage_unavailable (default 5000). */
  commitTimeoutMs?: number;
  /** store reads (catch-up, gaps, mailbox re-reads) the event feeds of one server run at once; the rest queue (default 4). */
  feedReadConcurrency?: number;
  /** the longest delay_ms a fault script may ask for (default 60000). */
  faultMaxDelayMs?: number;
}

/** the MIME port: implemented by `mime/` (worker threads); core never imports the parser. */
export interface MimePort {
  /** parses raw bytes; never rejects (a failed parse comes back with parseError set). */
  parse(raw: Buffer): Promise<MessageContent>;
  /** attachment `index` of a raw message, or null when there is none. */
  attachment(raw: Buffer, index: number): Promise<AttachmentData | null>;
}

export interface CoreDeps {
  /** this node's delivery-timeline writer: a timed-out wait flushes it before reading the timeline. */
  timeline?: { flush(): Promise<void> };
  store: Store;
  bus: Bus;
  clock: Clock;
  log: Logger;
  mime: MimePort;
  metrics: Metrics;
  settings: CoreSettings;
  /** the webhook dispatcher's doorbell: rung after events were queued, so they leave now rather than at the next poll. */
  outbox?: { ring(): void };
}
