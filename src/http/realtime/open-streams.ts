/**
 * Open WebSocket and SSE streams on this server, by kind, for /metrics (`inboxd_streams_open`):
 * the connections a load balancer and file-descriptor limits see, counted from the upgrade or the
 * first byte of the response until the socket closes, whether or not a feed is live on it yet.
 * `inboxd_event_feeds` (core/feed.ts) counts something else: feeds caught up and live, from every
 * consumer (long-poll waits and MCP subscriptions too), and not the All-mail streams.
 */
import type { Metrics } from '../../core/metrics.js';

export type StreamKind = 'ws' | 'sse';

const counts = new WeakMap<Metrics, Record<StreamKind, number>>();

/** counts one stream open; the returned function (idempotent) counts it closed. */
export function streamOpened(metrics: Metrics, kind: StreamKind): () => void {
  let c = counts.get(metrics);
  if (!c) {
    const fresh = { ws: 0, sse: 0 };
    counts.set(metrics, (c = fresh));
    metrics.gauge('inboxd_streams_open', 'WebSocket and SSE streams open right now, by kind (ws, sse); mailbox and All-mail streams alike', () => [
      [{ kind: 'ws' }, fresh.ws],
      [{ kind: 'sse' }, fresh.sse],
    ]);
  }
  const all = c;
  all[kind]++;
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    all[kind]--;
  };
}
