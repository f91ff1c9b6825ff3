/**
 * The way out: one mailbox's events from seq N, then live — each seq once, in seq order, none
 * missing — ending with mailbox_expired or mailbox_deleted. WebSocket, SSE, the long-poll wait
 * and MCP subscriptions (both backends) all read a mailbox through this and nothing else.
 *
 * The store is the truth and the bus only a doorbell. A seq is committed only after every lower
 * seq of its mailbox (allocation and commit are serialised per mailbox), so when a live event
 * skips ahead — two deliveries that commit close together can publish out of order, seq 6
 * reaching this node before seq 5 — the gap is read from the store, never dropped. The same read
 * runs at the start (replay after `since`) and after a bus outage (the bus calls `onResync`),
 * and the mailbox itself is re-read then and when its TTL passes (on the core clock), because a
 * mailbox_expired or mailbox_deleted event can be lost like any other.
 */
import type { CoreDeps } from './context.js';
import { isFinalEvent, mailboxDeletedEvent, mailboxExpiredEvent, type MailboxEvent, newMessageEvent } from './events.js';
import { createSemaphore, type Semaphore } from './semaphore.js';
import type { Mailbox } from './types.js';

/** stored messages read per page while catching up. */
const PAGE = 200;

/** who reads a feed: a label for the open-feed count (/metrics, tests). */
export type FeedConsumer = 'ws' | 'sse' | 'wait' | 'mcp';

export interface FeedOptions {
  consumer: FeedConsumer;
  /**
   * send stored messages with a greater seq first. Undefined: from the mailbox's `lastSeq` as
   * the caller read it, so a message that landed between that read and the subscription still
   * comes.
   */
  since?: number | undefined;
  /**
   * each event exactly once; new_message events in seq order. Must not throw. After a final event
   * (mailbox_expired, mailbox_deleted) the feed is closed.
   */
  onEvent(event: MailboxEvent): void;
  /**
   * the feed could not read the store to fill a gap or catch up, and closed itself: the consumer
   * ends its stream so its client comes back with `since=` (a gap is never skipped silently).
   */
  onError(err: unknown): void;
}

export interface Feed {
  /** stops listening; safe to call twice. */
  close(): void;
}

type Job = { kind: 'event'; event: MailboxEvent } | { kind: 'resync' } | { kind: 'recheck' };

/** open feeds per server, by consumer, counted once they are live (caught up). */
const openCounts = new WeakMap<CoreDeps['metrics'], Map<FeedConsumer, number>>();

function countOpen(deps: CoreDeps, consumer: FeedConsumer, by: 1 | -1): void {
  let counts = openCounts.get(deps.metrics);
  if (!counts) {
    openCounts.set(deps.metrics, (counts = new Map()));
    const all = counts;
    deps.metrics.gauge('inboxd_event_feeds', 'event feeds open and live (WebSocket, SSE, wait, MCP subscriptions)', () => [...all.values()].reduce((a, b) => a + b, 0));
  }
  counts.set(consumer, (counts.get(consumer) ?? 0) + by);
}

/** store reads feeds may run at once when the settings name no limit. */
const DEFAULT_READ_CONCURRENCY = 4;

/** one gate per server (its store): catch-up, gap and mailbox reads of every feed pass through it. */
const readGates = new WeakMap<CoreDeps['store'], Semaphore>();

/**
 * runs a feed's store read under the server's gate. Every stream resyncs at the same moment when
 * the bus comes back after an outage; unbounded, hundreds of reads queued at the connection pool
 * and timed out there (storage_unavailable ends the stream), while queued here they only wait.
 */
function gatedRead<T>(deps: CoreDeps, read: () => Promise<T>): Promise<T> {
  let gate = readGates.get(deps.store);
  if (!gate) {
    gate = createSemaphore(deps.settings.feedReadConcurrency ?? DEFAULT_READ_CONCURRENCY);
    readGates.set(deps.store, gate);
    const g = gate;
    deps.metrics.gauge('inboxd_event_feed_reads_waiting', 'event-feed store reads (catch-up, gaps) queued for a free slot (feed_read_concurrency)', () => g.waiting());
  }
  return gate.run(read);
}

/** feeds that are open and live now on this server, for one consumer or all. */
export function openFeeds(deps: CoreDeps, consumer?: FeedConsumer): number {
  const counts = openCounts.get(deps.metrics);
  if (!counts) return 0;
  return consumer ? counts.get(consumer) ?? 0 : [...counts.values()].reduce((a, b) => a + b, 0);
}

/**
 * subscribes, sends what is stored after `since`, re-reads the mailbox, then streams live events.
 * Resolves once caught up (an event committed after that reaches `onEvent` through the live path).
 * @param mailbox as the caller opened it (access already checked).
 * @throws DomainError storage_unavailable when the bus cannot subscribe or the store cannot be read
 */
export async function openFeed(deps: CoreDeps, mailbox: Mailbox, options: FeedOptions): Promise<Feed> {
  const { onEvent, onError, consumer } = options;
  let sent = options.since ?? mailbox.lastSeq;
  let closed = false;
  let counted = false;
  /** jobs wait here while the opening catch-up runs, and while another job runs. */
  let holding = true;
  let draining = false;
  const queue: Job[] = [];
  let cancelTimer: (() => void) | null = null;

  const push = (job: Job) => {
    if (closed) return;
    queue.push(job);
    if (!holding) void drain();
  };
  const unsubscribe = await deps.bus.subscribe(
    mailbox.address,
    (event) => push({ kind: 'event', event }),
    () => push({ kind: 'resync' }),
  );

  const close = () => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    cancelTimer?.();
    unsubscribe();
    if (counted) countOpen(deps, consumer, -1);
  };

  const emit = (event: MailboxEvent) => {
    if (closed) return;
    onEvent(event);
    if (isFinalEvent(event)) close();
  };

  /** sends every stored message after the last seq sent, in order. */
  const catchUp = async () => {
    for (;;) {
      const after = sent;
      const page = await gatedRead(deps, () => deps.store.listMessages(mailbox.id, { afterSeq: after, order: 'asc', limit: PAGE }));
      for (const m of page) {
        if (closed) return;
        if (m.seq <= sent) continue;
        sent = m.seq;
        emit(newMessageEvent(mailbox.address, m));
      }
      if (page.length < PAGE || closed) return;
    }
  };

  /** ends the feed when the mailbox is gone; otherwise looks again when its TTL passes. */
  const recheck = async () => {
    const fresh = await gatedRead(deps, () => deps.store.getMailboxById(mailbox.id));
    if (closed) return;
    if (!fresh || fresh.deletedAt !== null) return emit(mailboxDeletedEvent(mailbox.address));
    if (!fresh.active || fresh.expiresAt <= deps.clock.now()) return emit(mailboxExpiredEvent(fresh));
    cancelTimer?.();
    cancelTimer = deps.clock.at(fresh.expiresAt, () => push({ kind: 'recheck' }));
  };

  const run = async (job: Job) => {
    if (job.kind === 'resync') {
      await catchUp();
      return recheck();
    }
    if (job.kind === 'recheck') return recheck();
    const event = job.event;
    if (event.event !== 'new_message') return emit(event);
    if (event.seq <= sent) return;
    // a later seq came first: the ones between are committed, read them in order
    if (event.seq > sent + 1) await catchUp();
    if (event.seq > sent) {
      sent = event.seq;
      emit(event);
    }
  };

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (!closed && queue.length > 0) {
        try {
          await run(queue.shift()!);
        } catch (err) {
          close();
          onError(err);
        }
      }
    } finally {
      draining = false;
    }
  }

  try {
    await run({ kind: 'resync' });
  } catch (err) {
    close();
    throw err;
  }
  if (!closed) {
    counted = true;
    countOpen(deps, consumer, 1);
  }
  holding = false;
  void drain();
  return { close };
}
