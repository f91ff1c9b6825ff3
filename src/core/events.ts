/**
 * Events and the Bus port. The bus carries the event, not a wire shape: WebSocket and SSE
 * serialise the same object. Implementations: `bus/memory.ts` (one process) and `bus/redis.ts`.
 */

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
  /** true when the bus can publish right now. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
