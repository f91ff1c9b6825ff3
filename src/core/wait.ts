/**
 * Race-free waiting: subscribe to the mailbox first, then look at what is already stored after
 * `afterSeq`, then take live arrivals — so a message that landed between the client's create and
 * its wait is found, and one that lands during the wait returns it within milliseconds.
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import { compileFilter, type MessageFilter } from './filters.js';
import type { Message } from './types.js';

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
/** stored messages examined before the live phase; beyond this, pass after_seq. */
const MAX_SCAN = 2000;

/**
 * @throws DomainError wait_timeout | unexpected_message (with the message) | mailbox_expired | invalid_input, and as openMailbox
 */
export async function waitForMessages(deps: CoreDeps, principal: Principal, address: string, q: WaitQuery, signal?: AbortSignal): Promise<WaitOutcome> {
  const mailbox = await openMailbox(deps, principal, address);
  const count = q.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WAIT_COUNT) throw new DomainError('invalid_input', `count must be 1-${MAX_WAIT_COUNT}`);
  const matches = compileFilter(q);
  const found: Message[] = [];
  let checkedUpTo = q.afterSeq ?? 0;
  const arrived: number[] = [];
  let ended: DomainError | null = null;
  let wake: (() => void) | null = null;

  const unsubscribe = await deps.bus.subscribe(mailbox.address, (ev) => {
    if (ev.event === 'new_message') arrived.push(ev.seq);
    else if (ev.event === 'mailbox_expired') ended = new DomainError('mailbox_expired', 'mailbox expired while waiting');
    else if (ev.event === 'mailbox_deleted') ended = new DomainError('mailbox_not_found', 'mailbox deleted while waiting');
    wake?.();
  }, () => {
    // the bus was away: look at the store again for anything that arrived meanwhile
    arrived.push(checkedUpTo + 1);
    wake?.();
  });
  const deadline = deps.clock.now() + q.timeoutMs;
  try {
    // what is already there (afterSeq onwards), oldest first
    for (let scanned = 0; scanned < MAX_SCAN && found.length < count; ) {
      const page = await deps.store.listMessages(mailbox.id, { afterSeq: checkedUpTo, order: 'asc', limit: 100 });
      for (const s of page) {
        checkedUpTo = s.seq;
        scanned++;
        const m = await deps.store.getMessage(mailbox.id, s.id);
        if (m && matches(m)) found.push(m);
        if (found.length >= count) break;
      }
      if (page.length < 100) break;
    }
    // then live arrivals, until enough match, the time is up, or the client leaves
    while (found.length < count) {
      if (ended) throw ended;
      if (signal?.aborted) throw new DomainError('wait_timeout', 'the client went away');
      const left = deadline - deps.clock.now();
      if (left <= 0) break;
      if (arrived.length === 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 60_000));
          const onAbort = () => resolve();
          signal?.addEventListener('abort', onAbort, { once: true });
          wake = () => {
            clearTimeout(t);
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
        });
        wake = null;
        continue;
      }
      arrived.length = 0;
      // events only say "something new": read what is stored past what we checked, in order
      const page = await deps.store.listMessages(mailbox.id, { afterSeq: checkedUpTo, order: 'asc', limit: 100 });
      for (const s of page) {
        checkedUpTo = s.seq;
        const m = await deps.store.getMessage(mailbox.id, s.id);
        if (m && matches(m)) found.push(m);
        if (found.length >= count) break;
      }
      if (page.length === 100) arrived.push(checkedUpTo + 1);
    }
  } finally {
    unsubscribe();
  }
  if (q.expectNone) {
    if (found.length > 0) throw new DomainError('unexpected_message', 'a matching message arrived', { message_id: found[0]!.id, seq: found[0]!.seq, subject: found[0]!.subject });
    return { kind: 'quiet' };
  }
  if (found.length < count) {
    throw new DomainError('wait_timeout', `no${count > 1 ? ` ${count}` : ''} matching message${count > 1 ? 's' : ''} arrived within ${Math.round(q.timeoutMs / 1000)} s`, { found: found.length });
  }
  for (const m of found) if (!m.isRead) await deps.store.markRead(mailbox.id, m.id);
  return { kind: 'found', messages: found.map((m) => ({ ...m, isRead: true })) };
}
