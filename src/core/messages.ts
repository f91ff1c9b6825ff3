/**
 * Reading and removing messages, behind the same access rules as mailboxes.
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import { checkOffset } from './paging.js';
import { messageDeletedEvent, publishQuietly } from './events.js';
import type { AttachmentData, Mailbox, Message, MessageSummary } from './types.js';

export interface ListQuery {
  afterSeq?: number | undefined;
  limit?: number | undefined;
  /** messages to skip first (the seed's paging: limit with offset). */
  offset?: number | undefined;
  unread?: boolean | undefined;
  order?: 'asc' | 'desc' | undefined;
  from?: string | undefined;
  subject?: string | undefined;
}

export const MAX_LIST_LIMIT = 200;

/** a mailbox's messages, newest first unless asked otherwise, without bodies. */
export async function listMessages(
  deps: CoreDeps,
  principal: Principal,
  address: string,
  q: ListQuery,
): Promise<{ mailbox: Mailbox; messages: MessageSummary[] }> {
  const mailbox = await openMailbox(deps, principal, address);
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new DomainError('invalid_input', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const messages = await deps.store.listMessages(mailbox.id, {
    afterSeq: q.afterSeq,
    limit,
    offset: checkOffset(q.offset),
    unread: q.unread,
    order: q.order ?? 'desc',
    from: q.from,
    subject: q.subject,
  });
  return { mailbox, messages };
}

/**
 * one whole message; marks it read.
 * @throws DomainError message_not_found, and as openMailbox
 */
export async function readMessage(deps: CoreDeps, principal: Principal, address: string, messageId: string): Promise<Message> {
  const mailbox = await openMailbox(deps, principal, address);
  const message = await deps.store.getMessage(mailbox.id, messageId);
  if (!message) throw new DomainError('message_not_found', 'message not found');
  if (!message.isRead) await deps.store.markRead(mailbox.id, messageId);
  return { ...message, isRead: true };
}

/** the verbatim bytes as received. */
export async function readRawSource(deps: CoreDeps, principal: Principal, address: string, messageId: string): Promise<Buffer> {
  const mailbox = await openMailbox(deps, principal, address);
  const raw = await deps.store.getRawSource(mailbox.id, messageId);
  if (!raw) throw new DomainError('message_not_found', 'message not found');
  return raw;
}

/**
 * one attachment's bytes, read back from the raw source.
 * @throws DomainError message_not_found (also for an index the message does not have)
 */
export async function readAttachment(deps: CoreDeps, principal: Principal, address: string, messageId: string, index: number): Promise<AttachmentData> {
  const raw = await readRawSource(deps, principal, address, messageId);
  const found = await deps.mime.attachment(raw, index);
  if (!found) throw new DomainError('message_not_found', `message has no attachment ${index}`);
  return found;
}

/** deletes one message and tells the mailbox's listeners. */
export async function deleteMessage(deps: CoreDeps, principal: Principal, address: string, messageId: string): Promise<void> {
  const mailbox = await openMailbox(deps, principal, address);
  const gone = await deps.store.deleteMessage(mailbox.id, messageId);
  if (!gone) throw new DomainError('message_not_found', 'message not found');
  await publishQuietly(deps, messageDeletedEvent(mailbox.address, gone));
}
