/**
 * Events, the only place they are built, and the Bus port. The bus carries the event, not a wire
 * shape: WebSocket, SSE and MCP serialise the same object. Publishers (delivery, deletes, the
 * sweeper) go through `publishQuietly`; readers go through `feed.ts`. Implementations of the
 * port: `bus/memory.ts` (one process) and `bus/redis.ts`.
 */
import type { CoreDeps } from './context.js';
import type { AddressValue } from './types.js';

export interface NewMessageEvent {
  event: 'new_message';
  message_id: string;
  seq: number;
  address: string;
  from: string | null;
  subject: string | null;
  received_at: string;
}

export interface MailboxExpiredEvent {
  event: 'mailbox_expired';
  address: string;
  expires_at: string;
}

export interface MailboxDeletedEvent {
  event: 'mailbox_deleted';
  address: string;
}

export interface MessageDeletedEvent {
  event: 'message_deleted';
  address: string;
  message_id: string;
  seq: number;
}

export type MailboxEvent = NewMessageEvent | MailboxExpiredEvent | MailboxDeletedEvent | MessageDeletedEvent;

export type EventHandler = (event: MailboxEvent) => void;

/** an API key was revoked: every node closes the streams and MCP sessions that key opened. */
export interface KeyRevokedEvent {
  event: 'key_revoked';
  key_id: string;
}

/** events about credentials rather than a mailbox, heard by every node (one channel for all). */
export type ControlEvent = KeyRevokedEvent;

export type ControlHandler = (event: ControlEvent) => void;

/**
 * publish/subscribe per mailbox address. `publish` resolves once the event left this process
 * (memory: delivered to local handlers); it may reject when the transport is down, and callers
 * that already committed must only log that, never undo the commit.
 */
export interface Bus {
  publish(address: string, event: MailboxEvent): Promise<void>;
  /**
   * returns once the subscription is live; the returned function unsubscribes. `onResync` is
   * called when the transport came back after an outage and the subscription is live again:
   * events published meanwhile were lost, so the subscriber reads what it missed from the store.
   */
  subscribe(address: string, handler: EventHandler, onResync?: () => void): Promise<() => void>;
  /** publishes on the control channel; may reject when the transport is down (listeners also re-check on their own). */
  publishControl(event: ControlEvent): Promise<void>;
  /** listens to the control channel of every node; the returned function stops listening. */
  subscribeControl(handler: ControlHandler): Promise<() => void>;
  /** true when the bus can publish right now. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** what a new_message event says about a stored message (a summary has all of it). */
export interface StoredMessageFacts {
  id: string;
  seq: number;
  receivedAt: number;
  from: AddressValue | null;
  subject: string | null;
}

/** the new_message event of a message stored in the mailbox at `address`; the same live and in a replay. */
export function newMessageEvent(address: string, m: StoredMessageFacts): NewMessageEvent {
  return {
    event: 'new_message',
    message_id: m.id,
    seq: m.seq,
    address,
    from: m.from?.address ?? null,
    subject: m.subject,
    received_at: new Date(m.receivedAt).toISOString(),
  };
}

export function messageDeletedEvent(address: string, m: { id: string; seq: number }): MessageDeletedEvent {
  return { event: 'message_deleted', address, message_id: m.id, seq: m.seq };
}

export function mailboxExpiredEvent(mailbox: { address: string; expiresAt: number }): MailboxExpiredEvent {
  return { event: 'mailbox_expired', address: mailbox.address, expires_at: new Date(mailbox.expiresAt).toISOString() };
}

export function keyRevokedEvent(keyId: string): KeyRevokedEvent {
  return { event: 'key_revoked', key_id: keyId };
}

export function mailboxDeletedEvent(address: string): MailboxDeletedEvent {
  return { event: 'mailbox_deleted', address };
}

/** what POST /api/v1/webhooks/{id}/test sends: not a mailbox event, never on the bus. */
export interface WebhookTestEvent {
  event: 'webhook_test';
  webhook_id: string;
  sent_at: string;
}

export function webhookTestEvent(webhookId: string, at: number): WebhookTestEvent {
  return { event: 'webhook_test', webhook_id: webhookId, sent_at: new Date(at).toISOString() };
}

/** true for the events after which a mailbox has nothing more to say (streams close on them). */
export function isFinalEvent(ev: MailboxEvent): ev is MailboxExpiredEvent | MailboxDeletedEvent {
  return ev.event === 'mailbox_expired' || ev.event === 'mailbox_deleted';
}

/**
 * publishes after a commit: a bus failure is logged and counted, never turned into a failure of
 * the commit (readers catch up from the store, see feed.ts).
 */
export async function publishQuietly(deps: CoreDeps, event: MailboxEvent): Promise<void> {
  try {
    await deps.bus.publish(event.address, event);
  } catch (err) {
    deps.metrics.inc('inboxd_bus_publish_failures_total');
    deps.log.warn({ component: 'bus', err, address: event.address, event: event.event }, 'publish failed after commit');
  }
}
