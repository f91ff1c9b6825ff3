/**
 * `inboxd.webhooks`: the API key owner's outbound webhooks (#15): create (the signing secret is
 * in that answer only), list, read, change, delete, attempts, a test event, a replay. Receivers
 * verify requests with any Standard Webhooks implementation and the `whsec_…` secret.
 */
import { seg, sendJson, type Transport } from './http.js';
import type { CreatedWebhook, WebhookAttempt, WebhookInfo } from './types.js';

/** what an endpoint receives and from which mailboxes. */
export interface WebhookOptions {
  /** http(s) URL the events are POSTed to. */
  url?: string;
  /** default `['new_message']`. */
  events?: 'new_message'[];
  /** only this mailbox's events (default: every mailbox of the owner); null clears it. */
  mailbox?: string | null;
  /** only mailboxes of this group; null clears it. */
  group?: string | null;
  /** the body carries the whole message instead of its summary. */
  includeMessage?: boolean;
  /** false pauses it; true enables it again (queued events are sent then). */
  enabled?: boolean;
}

function body(o: WebhookOptions): Record<string, unknown> {
  return { url: o.url, events: o.events, mailbox: o.mailbox, group: o.group, include_message: o.includeMessage, enabled: o.enabled };
}

export class Webhooks {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * registers an endpoint. `secret` in the answer is the only time the signing secret is shown.
   *
   * @example
   * const hook = await inboxd.webhooks.create({ url: 'https://ci.example.com/inboxd', mailbox: box.address });
   * // store hook.secret; verify requests with it (e.g. the standardwebhooks package)
   * @throws InboxdError unauthorized | forbidden (needs an API key) | invalid_input (url, a non-public target, events) | quota_exceeded
   */
  create(options: WebhookOptions & { url: string }): Promise<CreatedWebhook> {
    return sendJson(this.#transport, 'POST', '/api/v1/webhooks', { body: body(options) });
  }

  /** the owner's endpoints, oldest first (never a secret). @throws InboxdError unauthorized | forbidden */
  list(): Promise<WebhookInfo[]> {
    return sendJson(this.#transport, 'GET', '/api/v1/webhooks');
  }

  /** @throws InboxdError unauthorized | forbidden | not_found */
  get(id: string): Promise<WebhookInfo> {
    return sendJson(this.#transport, 'GET', `/api/v1/webhooks/${seg(id)}`);
  }

  /** changes what is given; `enabled: true` re-enables a disabled endpoint. @throws InboxdError unauthorized | forbidden | not_found | invalid_input */
  update(id: string, options: WebhookOptions): Promise<WebhookInfo> {
    return sendJson(this.#transport, 'PATCH', `/api/v1/webhooks/${seg(id)}`, { body: body(options) });
  }

  /** deletes it with its queued events and attempts. @throws InboxdError unauthorized | forbidden | not_found */
  delete(id: string): Promise<WebhookInfo> {
    return sendJson(this.#transport, 'DELETE', `/api/v1/webhooks/${seg(id)}`);
  }

  /** its delivery attempts, newest first. @throws InboxdError unauthorized | forbidden | not_found */
  attempts(id: string, options: { limit?: number; offset?: number } = {}): Promise<WebhookAttempt[]> {
    return sendJson(this.#transport, 'GET', `/api/v1/webhooks/${seg(id)}/attempts`, { query: { limit: options.limit, offset: options.offset } });
  }

  /** queues a `webhook_test` event; its `event_id` is the webhook-id its attempts carry. @throws InboxdError unauthorized | forbidden | not_found */
  test(id: string): Promise<{ event_id: string }> {
    return sendJson(this.#transport, 'POST', `/api/v1/webhooks/${seg(id)}/test`);
  }

  /**
   * sends a mailbox's stored new_message events after `sinceSeq` (default 0: all) again, in seq
   * order; an event sent before keeps its webhook-id.
   * @throws InboxdError unauthorized | forbidden | not_found | mailbox_not_found | mailbox_expired
   */
  replay(id: string, options: { mailbox: string; sinceSeq?: number }): Promise<{ queued: number }> {
    return sendJson(this.#transport, 'POST', `/api/v1/webhooks/${seg(id)}/replay`, { body: { mailbox: options.mailbox, since_seq: options.sinceSeq } });
  }
}
