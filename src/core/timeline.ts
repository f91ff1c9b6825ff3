/**
 * The delivery timeline: the reader behind `GET …/deliveries`, and the writer. Attempts are buffered and written in batches, off the path that
 * answers the sender, so diagnosing "my email never arrived" never costs a delivery an extra
 * disk sync. It is diagnostic data: a crash may lose the last batch, never a message.
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import type { DeliveryAttempt } from './types.js';
import { checkOffset } from './paging.js';

/**
 * the newest delivery attempts to a mailbox's address, behind the mailbox's access rules.
 * @throws DomainError unauthorized | mailbox_not_found | forbidden | mailbox_expired
 */
export async function listDeliveryAttempts(deps: CoreDeps, principal: Principal, address: string, limit: number, offset = 0): Promise<DeliveryAttempt[]> {
  const mailbox = await openMailbox(deps, principal, address);
  const skip = checkOffset(offset) ?? 0;
  // the timeline keeps a few hundred attempts per address at most: reading past the offset is cheap
  return (await deps.store.listDeliveries(mailbox.address, limit + skip)).slice(skip);
}

export interface Timeline {
  record(attempt: DeliveryAttempt): void;
  /** writes what is buffered now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createTimeline(deps: Pick<CoreDeps, 'store' | 'log'>, opts: { flushMs?: number; maxBuffer?: number } = {}): Timeline {
  const flushMs = opts.flushMs ?? 200;
  const maxBuffer = opts.maxBuffer ?? 500;
  let buffer: DeliveryAttempt[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) {
      writing = writing
        .then(() => deps.store.recordDeliveries(batch))
        .catch((err: unknown) => deps.log.warn({ component: 'delivery', err, dropped: batch.length }, 'delivery timeline write failed'));
    }
    return writing;
  };

  return {
    record(attempt) {
      // a flood of refused attempts must not grow memory without bound
      if (buffer.length >= maxBuffer * 4) return;
      buffer.push(attempt);
      if (buffer.length >= maxBuffer) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref();
      }
    },
    flush,
    close: flush,
  };
}
