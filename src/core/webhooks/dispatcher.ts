/**
 * The webhook outlet of the event log (#15): takes due outbox rows (written with their messages,
 * so nothing committed is lost), sends each through the transport port, records the attempt, and
 * schedules the next try (schedule.ts) or gives up. A 410 from the receiver disables the
 * endpoint, and so does an event that used up its attempts when the endpoint has had no success
 * since that event was queued (a dead endpoint, not one bad event).
 *
 * Each endpoint sends at most `concurrency` requests at once, and one mailbox's events to one
 * endpoint one at a time, in seq order (the first attempts; retries may interleave), so a slow
 * receiver holds up only itself. Rows are leased (store.claimWebhookDeliveries): many nodes share
 * the outbox and each row is sent by one of them in the normal case; a node that dies mid-send
 * leaves its rows to another once their lease ran out (at least once; the webhook-id is stable).
 *
 * Work arrives three ways: the doorbell (`ring`, after a commit on this node), a poll every
 * `pollMs` on the core clock (other nodes' rows, retries that fell due, expired leases), and
 * completions that leave room. Time is the core clock's, so tests move a ManualClock.
 * Not here: the HTTP client, signing and address checks (src/webhooks/), endpoints (endpoints.ts).
 */
import type { CoreDeps } from '../context.js';
import { newId } from '../ids.js';
import type { Message } from '../types.js';
import { MAX_ATTEMPTS, nextRetryAt } from './schedule.js';
import type { AttemptOutcome, ClaimedDelivery } from './types.js';

/** one signed POST to make. */
export interface WebhookRequest {
  url: string;
  /** the webhook-id header: the outbox row's id. */
  id: string;
  /** the webhook-timestamp header (seconds since the epoch, on the core clock). */
  timestamp: number;
  body: string;
  secret: string;
}

export interface WebhookResponse {
  /** the receiver's status, or null when there was no answer. */
  status: number | null;
  /** why there was no answer (refused target, connect timeout, total timeout, reset). */
  error: string | null;
  latencyMs: number;
}

/** the edge's half (src/webhooks/): the body's wire shape and the HTTP request. */
export interface WebhookTransport {
  /**
   * the body: the event JSON as WebSocket and SSE send it, plus the message (summary, or all of
   * it; null when it was deleted meanwhile; undefined for an event about no message).
   */
  body(eventJson: string, message: Message | null | undefined, includeMessage: boolean): string;
  /** makes the request; never rejects. */
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

export interface DispatcherSettings {
  /** requests in flight per endpoint. */
  concurrency: number;
  /** how often the outbox is looked at without a doorbell (ms, on the core clock). */
  pollMs: number;
  /** how long a claimed row is held before another node may take it (ms); above the send timeout. */
  leaseMs: number;
  /** rows claimed at once. */
  batch?: number;
  /** [0, 1) for the retry jitter (tests fix it). */
  random?: () => number;
}

export interface Dispatcher {
  /** looks at the outbox now (an event was queued on this node). */
  ring(): void;
  /** resolves once nothing is in flight or queued here and the outbox has nothing due (tests). */
  idle(): Promise<void>;
  /** stops taking work; waits for requests in flight. */
  stop(): Promise<void>;
}

interface EndpointQueue {
  running: number;
  queue: ClaimedDelivery[];
  /** mailboxes with a request in flight to this endpoint (their next event waits). */
  busy: Set<string>;
}

export function startWebhookDispatcher(deps: CoreDeps, transport: WebhookTransport, settings: DispatcherSettings): Dispatcher {
  const log = deps.log.child({ component: 'webhooks' });
  const batch = settings.batch ?? 100;
  const random = settings.random ?? Math.random;
  const endpoints = new Map<string, EndpointQueue>();
  const inflight = new Set<Promise<void>>();
  let stopped = false;
  let pumping = false;
  let again = false;
  let cancelPoll: (() => void) | null = null;
  let idleWaiters: (() => void)[] = [];
  deps.metrics.counter('inboxd_webhook_attempts_total', 'webhook requests made, by outcome (delivered, retry, failed)');

  const saturated = () => [...endpoints].filter(([, e]) => e.running + e.queue.length >= settings.concurrency * 2).map(([id]) => id);
  const queued = () => [...endpoints.values()].reduce((n, e) => n + e.running + e.queue.length, 0);

  function ring(): void {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    void pump().finally(() => {
      pumping = false;
      if (again && !stopped) {
        again = false;
        ring();
      } else checkIdle();
    });
  }

  async function pump(): Promise<void> {
    for (;;) {
      again = false;
      const now = deps.clock.now();
      let claimed: ClaimedDelivery[];
      try {
        claimed = await deps.store.claimWebhookDeliveries(now, batch, now + settings.leaseMs, saturated());
      } catch (err) {
        log.warn({ err }, 'could not read the webhook outbox; trying again at the next poll');
        return;
      }
      for (const d of claimed) {
        let e = endpoints.get(d.webhookId);
        if (!e) endpoints.set(d.webhookId, (e = { running: 0, queue: [], busy: new Set() }));
        e.queue.push(d);
      }
      for (const id of new Set(claimed.map((d) => d.webhookId))) startNext(id);
      if (claimed.length < batch || stopped) return;
    }
  }

  function startNext(webhookId: string): void {
    const e = endpoints.get(webhookId);
    if (!e) return;
    while (!stopped && e.running < settings.concurrency) {
      const i = e.queue.findIndex((d) => d.mailboxId === null || !e.busy.has(d.mailboxId));
      if (i < 0) break;
      const [d] = e.queue.splice(i, 1) as [ClaimedDelivery];
      e.running++;
      if (d.mailboxId !== null) e.busy.add(d.mailboxId);
      const p = attempt(d).finally(() => {
        inflight.delete(p);
        e.running--;
        if (d.mailboxId !== null) e.busy.delete(d.mailboxId);
        const wasFull = e.running + e.queue.length + 1 >= settings.concurrency * 2;
        if (e.running === 0 && e.queue.length === 0) endpoints.delete(webhookId);
        startNext(webhookId);
        // this endpoint was left out of the last claim while it was full, or the next event of
        // this mailbox's line became claimable once this one was tried (EARLIER_UNTRIED): look again
        if (wasFull || d.mailboxId !== null) ring();
        checkIdle();
      });
      inflight.add(p);
    }
  }

  async function attempt(d: ClaimedDelivery): Promise<void> {
    let message: Message | null | undefined = undefined;
    try {
      if (d.mailboxId !== null && d.messageId !== null) message = await deps.store.getMessage(d.mailboxId, d.messageId);
    } catch (err) {
      // the lease runs out and the row is taken again
      log.warn({ err, event_id: d.id }, 'could not read the message of a webhook event');
      return;
    }
    const body = transport.body(d.eventJson, message, d.includeMessage);
    const res = await transport.send({ url: d.url, id: d.id, timestamp: Math.floor(deps.clock.now() / 1000), body, secret: d.secret });
    const at = deps.clock.now();
    const n = d.attempts + 1;
    const ok = res.status !== null && res.status >= 200 && res.status < 300;
    const gone = res.status === 410;
    const next = ok || gone ? null : nextRetryAt(n, at, random());
    const outcome: AttemptOutcome = {
      attempt: { id: newId(at), webhookId: d.webhookId, eventId: d.id, attempt: n, at, statusCode: res.status, error: res.error, latencyMs: Math.round(res.latencyMs), nextRetryAt: next },
      state: ok ? 'delivered' : next !== null ? 'pending' : 'failed',
      disable: null,
    };
    if (gone) outcome.disable = 'the receiver answered 410 Gone';
    else if (outcome.state === 'failed' && (d.lastSuccessAt === null || d.lastSuccessAt < d.createdAt)) {
      outcome.disable = `no success since ${new Date(d.createdAt).toISOString()}: event ${d.id} failed ${MAX_ATTEMPTS} attempts (last: ${res.status !== null ? `HTTP ${res.status}` : res.error})`;
    }
    deps.metrics.inc('inboxd_webhook_attempts_total', { outcome: ok ? 'delivered' : outcome.state === 'pending' ? 'retry' : 'failed' });
    if (!ok) log.info({ webhook_id: d.webhookId, event_id: d.id, attempt: n, status: res.status, error: res.error, next_retry_at: next }, 'webhook attempt failed');
    if (outcome.disable) log.warn({ webhook_id: d.webhookId, reason: outcome.disable }, 'webhook disabled');
    try {
      await deps.store.finishWebhookAttempt(outcome);
    } catch (err) {
      // not recorded: the row is sent again when its lease runs out (at least once)
      log.warn({ err, event_id: d.id }, 'could not record a webhook attempt');
    }
  }

  function poll(): void {
    if (stopped) return;
    cancelPoll = deps.clock.at(deps.clock.now() + settings.pollMs, () => {
      if (stopped) return;
      deps.store.hasDueWebhookDeliveries(deps.clock.now()).then(
        (due) => due && ring(),
        (err: unknown) => log.debug({ err }, 'webhook poll failed'),
      );
      poll();
    });
  }

  async function nothingDue(): Promise<boolean> {
    return !(await deps.store.hasDueWebhookDeliveries(deps.clock.now()).catch(() => false));
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0 || pumping || queued() > 0) return;
    void nothingDue().then((none) => {
      if (!none) return ring();
      if (pumping || queued() > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    });
  }

  poll();
  ring();

  return {
    ring,
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async stop() {
      stopped = true;
      cancelPoll?.();
      await Promise.allSettled([...inflight]);
    },
  };
}
