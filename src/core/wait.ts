/**
 * The long-poll wait: the mailbox's feed (feed.ts) from `afterSeq`, each message read and matched
 * against the filters, until enough match, the deadline passes (on the core clock), or the
 * mailbox ends — expired or deleted mid-wait answers mailbox_expired (410), never a timeout. A
 * message already stored is found at once; one that lands during the wait comes live.
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import type { NewMessageEvent } from './events.js';
import { openFeed } from './feed.js';
import { explainFilter, type FilterName, type MessageFilter } from './filters.js';
import type { DeliveryAttempt, Message } from './types.js';

/** how many near misses and refused attempts a timed-out wait names. */
export const WAIT_EXPLAIN_LIMIT = 10;

/** a message that arrived but did not match, and the filters it failed. */
export interface NearMiss {
  message: Message;
  failed: FilterName[];
}

/**
 * what a failed wait carries in its DomainError's `details.explain` (presenters/wait.ts turns it
 * into the wire fields `arrived`, `refused`, `unexpected`).
 */
export interface WaitExplanation {
  /** newest first, at most WAIT_EXPLAIN_LIMIT. */
  arrived: NearMiss[];
  /** the mailbox's refused or faulted attempts, newest first, at most WAIT_EXPLAIN_LIMIT. */
  refused: DeliveryAttempt[];
  /** expect=none: the message that should not have come. */
  unexpected?: Message;
}

export interface WaitQuery extends MessageFilter {
  afterSeq?: number | undefined;
  /** return when this many matching messages are there (default 1). */
  count?: number | undefined;
  /** succeed when nothing matching arrives; fail (unexpected_message) when something does. */
  expectNone?: boolean | undefined;
  timeoutMs: number;
}

export type WaitOutcome = { kind: 'found'; messages: Message[] } | { kind: 'quiet' };

export const MAX_WAIT_COUNT = 100;

/**
 * @throws DomainError wait_timeout | unexpected_message (with the message) | mailbox_expired (also when
 *   the mailbox expires or is deleted mid-wait) | invalid_input | storage_unavailable, and as openMailbox
 */
export async function waitForMessages(deps: CoreDeps, principal: Principal, address: string, q: WaitQuery, signal?: AbortSignal): Promise<WaitOutcome> {
  const mailbox = await openMailbox(deps, principal, address);
  const count = q.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WAIT_COUNT) throw new DomainError('invalid_input', `count must be 1-${MAX_WAIT_COUNT}`);
  const explain = explainFilter(q);
  const found: Message[] = [];
  // near misses, oldest first (the feed's order); only the newest few are kept
  const misses: NearMiss[] = [];
  const arrived: NewMessageEvent[] = [];
  let ended: unknown = null;
  let timedOut = false;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();

  const feed = await openFeed(deps, mailbox, {
    consumer: 'wait',
    since: q.afterSeq ?? 0,
    onEvent: (ev) => {
      if (ev.event === 'new_message') arrived.push(ev);
      else if (ev.event === 'mailbox_expired') ended = new DomainError('mailbox_expired', 'the mailbox expired while waiting', { expires_at: ev.expires_at });
      else if (ev.event === 'mailbox_deleted') ended = new DomainError('mailbox_expired', 'the mailbox was deleted while waiting');
      poke();
    },
    onError: (err) => {
      ended = err;
      poke();
    },
  });
  const cancelDeadline = deps.clock.at(deps.clock.now() + q.timeoutMs, () => {
    timedOut = true;
    poke();
  });
  signal?.addEventListener('abort', poke);
  try {
    while (found.length < count) {
      const next = arrived.shift();
      if (next) {
        // the event says which message; the filters need its bodies
        const m = await deps.store.getMessage(mailbox.id, next.message_id);
        if (!m) continue;
        const failed = explain(m);
        if (failed.length === 0) found.push(m);
        else if (misses.push({ message: m, failed }) > WAIT_EXPLAIN_LIMIT) misses.shift();
        continue;
      }
      if (ended) throw ended;
      if (signal?.aborted) throw new DomainError('wait_timeout', 'the client went away');
      if (timedOut) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    feed.close();
    cancelDeadline();
    signal?.removeEventListener('abort', poke);
  }
  if (q.expectNone) {
    if (found.length > 0) {
      const explanation: WaitExplanation = { arrived: [], refused: [], unexpected: found[0]! };
      throw new DomainError('unexpected_message', 'a matching message arrived', { message_id: found[0]!.id, seq: found[0]!.seq, subject: found[0]!.subject, explain: explanation });
    }
    return { kind: 'quiet' };
  }
  if (found.length < count) {
    const explanation: WaitExplanation = { arrived: misses.reverse(), refused: await refusedAttempts(deps, mailbox.address) };
    throw new DomainError('wait_timeout', `no${count > 1 ? ` ${count}` : ''} matching message${count > 1 ? 's' : ''} arrived within ${Math.round(q.timeoutMs / 1000)} s`, { found: found.length, explain: explanation });
  }
  for (const m of found) if (!m.isRead) await deps.store.markRead(mailbox.id, m.id);
  return { kind: 'found', messages: found.map((m) => ({ ...m, isRead: true })) };
}

/**
 * the mailbox's refused or faulted attempts (the timeline keeps a bounded, recent history of an
 * address, so its window is the mailbox's life up to now). The timeline is written in batches off
 * the reply path: this node's buffer is written first, so an attempt this node answered is never
 * missed; one another node of the scale pair answered in its last batch interval (200 ms) may be.
 * Best effort: a timeline that cannot be read leaves the list empty, never the 408 unanswered.
 */
async function refusedAttempts(deps: CoreDeps, address: string): Promise<DeliveryAttempt[]> {
  try {
    await deps.timeline?.flush();
    const recent = await deps.store.listDeliveries(address, 200);
    return recent.filter((a) => a.outcome !== 'accepted').slice(0, WAIT_EXPLAIN_LIMIT);
  } catch (err) {
    deps.log.warn({ component: 'wait', err }, 'timeline unreadable for a timed-out wait');
    return [];
  }
}
