/**
 * The no-missed-events rule shared by WebSocket and SSE: subscribe first, then replay stored
 * messages with seq > since, then stream live events, never sending a seq twice. Live events that
 * arrive during the replay are held and filtered by the highest seq already sent.
 */
import type { CoreDeps } from '../../core/context.js';
import type { MailboxEvent } from '../../core/events.js';
import type { Mailbox } from '../../core/types.js';
import { newMessageEvent } from '../../presenters/message.js';

const PAGE = 200;

export interface EventStream {
  /** stops the subscription; safe to call twice. */
  close(): void;
}

/**
 * @param since replay stored messages with a greater seq; undefined = live events only.
 * @param send called in order, once per event; must not throw.
 */
export async function openEventStream(
  deps: CoreDeps,
  mailbox: Mailbox,
  since: number | undefined,
  send: (event: MailboxEvent) => void,
): Promise<EventStream> {
  let replaying = since !== undefined;
  let lastSeq = since ?? mailbox.lastSeq;
  let closed = false;
  const held: MailboxEvent[] = [];

  const emit = (ev: MailboxEvent) => {
    if (closed) return;
    if (ev.event === 'new_message') {
      if (ev.seq <= lastSeq) return;
      lastSeq = ev.seq;
    }
    send(ev);
  };
  // after a bus outage, events published meanwhile never arrive: read them from the store
  let resyncing: Promise<void> | null = null;
  const resync = () => {
    if (closed || resyncing) return;
    replaying = true;
    resyncing = replay(lastSeq)
      .catch(() => undefined)
      .finally(() => {
        replaying = false;
        resyncing = null;
        for (const ev of held.splice(0)) emit(ev);
      });
  };
  const unsubscribe = await deps.bus.subscribe(mailbox.address, (ev) => (replaying ? held.push(ev) : emit(ev)), resync);
  const stream = {
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
    },
  };
  try {
    if (since !== undefined) await replay(since);
    // the mailbox may have ended between the caller's check and the subscription going live:
    // an event published in that window was missed, so the state is read again now
    const fresh = await deps.store.getMailboxById(mailbox.id);
    if (!fresh || fresh.deletedAt !== null) emit({ event: 'mailbox_deleted', address: mailbox.address });
    else if (!fresh.active || fresh.expiresAt <= deps.clock.now()) {
      emit({ event: 'mailbox_expired', address: mailbox.address, expires_at: new Date(fresh.expiresAt).toISOString() });
    }
  } catch (err) {
    stream.close();
    throw err;
  }
  replaying = false;
  for (const ev of held.splice(0)) emit(ev);
  return stream;

  async function replay(from: number): Promise<void> {
    let after = from;
    for (;;) {
      const page = await deps.store.listMessages(mailbox.id, { afterSeq: after, order: 'asc', limit: PAGE });
      for (const m of page) emit(newMessageEvent(m));
      if (page.length < PAGE || closed) break;
      after = page[page.length - 1]!.seq;
    }
  }
}
