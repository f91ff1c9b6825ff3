/**
 * The live event stream of one mailbox: the SDK's `events()` iterator (WS /ws/inbox/{address}),
 * which reconnects with backoff and jitter and passes `since=<last seq seen>`, so nothing is
 * missed and nothing is shown twice. This file only adapts it to the inbox view's callbacks.
 */
import type { ConnectionState, MailboxEvent } from '../../sdk/src/index';
import { type Cred, mailboxHandle } from './api';

export type LiveEvent = MailboxEvent;
export type LiveState = ConnectionState;

export interface LiveOptions {
  address: string;
  cred: Cred;
  /** the highest seq already shown, read when the stream starts. */
  since(): number;
  onEvent(ev: LiveEvent): void;
  onState(state: LiveState): void;
}

export function openLive(opts: LiveOptions): { close(): void } {
  let since = opts.since();
  let waiting = false;
  let stop = new AbortController();

  const start = () => {
    const mine = (stop = new AbortController());
    const events = mailboxHandle(opts.address, opts.cred).events({
      since,
      signal: mine.signal,
      reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 },
      // a stream this view stopped is not heard from again
      onState: (st) => {
        if (mine.signal.aborted) return;
        waiting = st.kind === 'waiting';
        opts.onState(st);
      },
    });
    void (async () => {
      try {
        for await (const ev of events) {
          if (ev.event === 'new_message') since = Math.max(since, ev.seq);
          opts.onEvent(ev);
        }
      } catch {
        // refused or given up: the iterator already reported `ended` with the reason
      }
    })();
  };

  // a tab coming back online should not sit out the rest of a long backoff
  const onOnline = () => {
    if (!waiting) return;
    stop.abort();
    start();
  };
  window.addEventListener('online', onOnline);
  start();

  return {
    close() {
      window.removeEventListener('online', onOnline);
      stop.abort();
    },
  };
}
