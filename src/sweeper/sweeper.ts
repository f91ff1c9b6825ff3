/**
 * The expiry sweeper: every tick, marks mailboxes whose expires_at has passed inactive, tells
 * their listeners (`mailbox_expired`, which also closes their sockets) and purges content after
 * the retention period. Expiry itself is exact without it: reads and deliveries compare
 * expires_at with the clock; the sweeper only tidies up and announces.
 */
import type { CoreDeps } from '../core/context.js';
import { mailboxExpiredEvent, publishQuietly } from '../core/events.js';

export interface SweeperSettings {
  intervalMs: number;
  retentionMs: number;
  quarantineMs: number;
  deliveriesMaxAgeMs?: number;
  deliveriesPerAddress?: number;
  /** webhook attempts and finished outbox rows older than this are dropped (default 7 days). */
  webhookAttemptsMaxAgeMs?: number;
  /** mailboxes expired per batch; a tick loops until none are left. */
  batchSize?: number;
  /**
   * whose time decides what has expired: the store's (default; every node of a cluster reads the
   * same clock) or this node's (`deps.clock`: tests that move time with a ManualClock).
   */
  clock?: 'database' | 'node';
}

export interface Sweeper {
  /** runs one tick now; resolves with what it did. */
  tick(): Promise<{ expired: number; purgedMessages: number; purgedMailboxes: number }>;
  stop(): Promise<void>;
}

export function startSweeper(deps: CoreDeps, settings: SweeperSettings): Sweeper {
  const log = deps.log.child({ component: 'sweeper' });
  const batch = settings.batchSize ?? 500;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  async function tick() {
    // on a cluster every sweeper may win a tick: deciding by the database's clock means one
    // node whose clock runs an hour fast cannot end every node's mailboxes an hour early
    const now = settings.clock === 'node' ? deps.clock.now() : await deps.store.now();
    let expired = 0;
    for (;;) {
      const ended = await deps.store.expireMailboxes(now, batch);
      for (const m of ended) {
        await publishQuietly(deps, mailboxExpiredEvent(m));
      }
      expired += ended.length;
      if (ended.length < batch) break;
    }
    const purged = await deps.store.purge(now, settings.retentionMs, settings.quarantineMs);
    const deliveries = await deps.store.pruneDeliveries(now, settings.deliveriesMaxAgeMs ?? 604_800_000, settings.deliveriesPerAddress ?? 200);
    const webhookAttempts = await deps.store.pruneWebhookAttempts(now, settings.webhookAttemptsMaxAgeMs ?? 604_800_000);
    if (expired || purged.messages || purged.mailboxes || deliveries || webhookAttempts) log.info({ expired, ...purged, deliveries, webhook_attempts: webhookAttempts }, 'sweep');
    return { expired, purgedMessages: purged.messages, purgedMailboxes: purged.mailboxes };
  }

  // many sweepers (one per node) elect one per tick where the store can (PostgreSQL advisory
  // lock); a tick skipped here is run by the node that holds the lock
  const electedTick = async () => {
    if (!deps.store.runExclusive) return tick();
    const done = await deps.store.runExclusive('sweeper', tick);
    if (done === null) log.debug({}, 'another node is sweeping this tick');
    return done;
  };

  const timer = setInterval(() => {
    if (running || stopped) return;
    running = electedTick()
      .catch((err: unknown) => log.error({ err }, 'sweep failed; will retry next tick'))
      .finally(() => (running = null));
  }, settings.intervalMs);
  timer.unref();

  return {
    tick: () => tick(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
