/**
 * The live event stream of one mailbox over WS /ws/inbox/{address}. It reconnects after a drop
 * with exponential backoff (and jitter, so many tabs do not return at once), passing
 * `since=<last seq seen>` so the server replays what arrived meanwhile: nothing is missed and
 * nothing is shown twice.
 */
import type { Cred } from './api';

export type LiveEvent =
  | { event: 'new_message'; message_id: string; seq: number; address: string; from: string | null; subject: string | null; received_at: string }
  | { event: 'message_deleted'; address: string; message_id: string; seq: number }
  | { event: 'mailbox_expired'; address: string; expires_at: string }
  | { event: 'mailbox_deleted'; address: string }
  | { event: 'ping' };

export type LiveState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'waiting'; retryInMs: number } | { kind: 'ended'; reason: string };

export interface LiveOptions {
  address: string;
  cred: Cred;
  /** the highest seq already shown; read at every (re)connect. */
  since(): number;
  onEvent(ev: LiveEvent): void;
  onState(state: LiveState): void;
}

const MIN_DELAY = 500;
const MAX_DELAY = 30_000;

export function openLive(opts: LiveOptions): { close(): void } {
  let socket: WebSocket | null = null;
  let timer: number | undefined;
  let attempt = 0;
  let stopped = false;

  const end = (reason: string) => {
    stopped = true;
    opts.onState({ kind: 'ended', reason });
  };

  const connect = () => {
    if (stopped) return;
    opts.onState({ kind: 'connecting' });
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ since: String(opts.since()) });
    if (opts.cred.kind !== 'none') q.set(opts.cred.kind === 'token' ? 'token' : 'api_key', opts.cred.value);
    const ws = new WebSocket(`${proto}//${location.host}/ws/inbox/${encodeURIComponent(opts.address)}?${q}`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      opts.onState({ kind: 'live' });
    };
    ws.onmessage = (m) => {
      let ev: LiveEvent;
      try {
        ev = JSON.parse(String(m.data)) as LiveEvent;
      } catch {
        return;
      }
      opts.onEvent(ev);
      if (ev.event === 'mailbox_expired' || ev.event === 'mailbox_deleted') end(ev.event);
    };
    ws.onclose = (e) => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      // 1008: refused (bad token, unknown or expired mailbox); retrying cannot help
      if (e.code === 1008) return end(e.reason || 'refused');
      if (e.code === 1000 && (e.reason === 'mailbox_expired' || e.reason === 'mailbox_deleted')) return end(e.reason);
      const delay = Math.min(MAX_DELAY, MIN_DELAY * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt++;
      opts.onState({ kind: 'waiting', retryInMs: delay });
      timer = window.setTimeout(connect, delay);
    };
  };

  // a tab coming back online should not sit out the rest of a long backoff
  const onOnline = () => {
    if (!stopped && !socket) {
      window.clearTimeout(timer);
      attempt = 0;
      connect();
    }
  };
  window.addEventListener('online', onOnline);
  connect();

  return {
    close() {
      stopped = true;
      window.clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      const s = socket;
      socket = null;
      s?.close(1000, 'bye');
    },
  };
}
