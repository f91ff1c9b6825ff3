/**
 * MailOps: what the MCP tools and resources need from Inboxd, in the public JSON shapes of
 * `presenters/` (the same shapes REST and the SDK speak). Two implementations: `in-process-ops.ts`
 * (in-process, for /mcp) and `remote-ops.ts` (a client of an Inboxd URL, for `inboxd mcp` on
 * stdio). Failures are `DomainError`s with the codes of `core/errors.ts`, whichever backend.
 */
import type { NewMessageEvent } from '../core/events.js';
import type { FaultScriptJson } from '../presenters/fault.js';
import type { MailboxJson } from '../presenters/mailbox.js';
import type { MessageJson, MessageSummaryJson, SearchResultJson } from '../presenters/message.js';

export interface CreateMailboxArgs {
  ttlMinutes?: number | undefined;
  localPart?: string | undefined;
  domain?: string | undefined;
}

export interface GetMessagesArgs {
  limit?: number | undefined;
  unreadOnly?: boolean | undefined;
}

export interface SearchArgs {
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface WaitArgs {
  timeoutSeconds: number;
  from?: string | undefined;
  subject?: string | undefined;
  /** RE2 over the subject and text body. */
  pattern?: string | undefined;
  afterSeq?: number | undefined;
}

export interface MailOps {
  createMailbox(args: CreateMailboxArgs): Promise<MailboxJson>;
  listMailboxes(): Promise<MailboxJson[]>;
  getMailbox(address: string): Promise<MailboxJson>;
  /** newest first, without bodies. */
  getMessages(address: string, args: GetMessagesArgs): Promise<MessageSummaryJson[]>;
  /** every live mailbox of the caller, newest first, without bodies (core/search-query.ts: the language). */
  searchMessages(query: string, args: SearchArgs): Promise<SearchResultJson[]>;
  /** one whole message; marks it read. */
  readMessage(address: string, messageId: string): Promise<MessageJson>;
  deleteMailbox(address: string): Promise<void>;
  /** @throws DomainError wait_timeout when nothing matching arrives in time. */
  waitForMessage(address: string, args: WaitArgs, signal?: AbortSignal): Promise<MessageJson>;
  /** replaces the mailbox's SMTP fault script (rules as `PUT …/faults` takes them; [] removes it). */
  setFaults(address: string, rules: unknown[]): Promise<FaultScriptJson>;
  /** calls `onNewMessage` for each message accepted from now on; resolves once listening. */
  subscribe(address: string, onNewMessage: (event: NewMessageEvent) => void): Promise<() => void>;
}
