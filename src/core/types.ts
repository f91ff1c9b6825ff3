/**
 * Domain entities shared by core, the store implementations and the presenters. Plain data:
 * no driver types, no wire shapes (those live in `presenters/`).
 */
import type { ErrorCode } from './errors.js';

/** a plan row; -1 in a limit means unlimited. */
export interface Plan {
  name: string;
  maxMailboxes: number;
  maxMessagesPerMailbox: number;
  defaultTtlMinutes: number;
  maxTtlMinutes: number;
  maxMessageBytes: number;
}

export interface User {
  id: string;
  email: string;
  plan: string;
  active: boolean;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  userId: string;
  prefix: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  active: boolean;
}

export type OwnerType = 'anonymous' | 'api' | 'mcp';

export interface Mailbox {
  id: string;
  address: string;
  domain: string;
  ownerType: OwnerType;
  /** user id for api/mcp owners; the client-address key for anonymous ones. */
  ownerId: string;
  /** SHA-256 (hex) of the session token; anonymous mailboxes only. */
  tokenHash: string | null;
  /** the plan that governs this mailbox (the owner's plan, or the anonymous plan). */
  plan: string;
  group: string | null;
  createdAt: number;
  expiresAt: number;
  active: boolean;
  /** the highest seq ever given in this mailbox (never reused, even after deletes). */
  lastSeq: number;
  /** messages currently stored. */
  messageCount: number;
  deletedAt: number | null;
}

export interface AddressValue {
  address: string;
  name: string;
}

export interface HeaderLine {
  name: string;
  value: string;
}

export interface AttachmentMeta {
  index: number;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  /** whether the part was inline (Content-Disposition: inline or referenced by cid). */
  inline: boolean;
}

export type ContentSource = 'subject' | 'text' | 'html';

export interface ExtractedCode {
  value: string;
  source: ContentSource;
  context: string;
}

export interface ExtractedLink {
  url: string;
  text: string | null;
  source: 'text' | 'html';
}

export type MessageSource = 'smtp' | 'ses';

/** one attachment's bytes, read back from the raw source on demand. */
export interface AttachmentData {
  filename: string | null;
  /** lower-case MIME type. */
  contentType: string;
  content: Uint8Array;
}

/** the parsed, list-independent content of a message (the same for every recipient). */
export interface MessageContent {
  from: AddressValue | null;
  to: AddressValue[];
  cc: AddressValue[];
  subject: string | null;
  messageIdHeader: string | null;
  date: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  headers: HeaderLine[];
  attachments: AttachmentMeta[];
  codes: ExtractedCode[];
  links: ExtractedLink[];
  /** why the parser could not read the message; the raw bytes are kept either way. */
  parseError: string | null;
}

export interface Message extends MessageContent {
  id: string;
  mailboxId: string;
  address: string;
  seq: number;
  receivedAt: number;
  size: number;
  tag: string | null;
  isRead: boolean;
  source: MessageSource;
  envelopeFrom: string | null;
  verdicts: Record<string, string> | null;
}

/** one attempt to deliver to an address, for the delivery timeline. */
export interface DeliveryAttempt {
  id: string;
  address: string;
  at: number;
  /** fault: a fault script answered (or delayed) the attempt (`fault` says which rule). */
  outcome: 'accepted' | 'refused' | 'fault';
  /** the error code of a refusal (mailbox_expired, quota_exceeded, message_too_large, ...), or 'parse_error' on an accepted message the parser could not read. */
  reason: string | null;
  /** the refusal as a stable error code (null when accepted): what edges render, never parsed out of `response`. */
  errorCode: ErrorCode | null;
  /** the SMTP reply code the sender was given; null when the edge was not SMTP (SES). */
  smtpCode: number | null;
  /** the enhanced status code of that reply (RFC 3463), e.g. "5.3.4"; null when not SMTP. */
  enhancedCode: string | null;
  /** what the sender was told, as the answering edge wrote it, e.g. "452 4.2.2 Mailbox full". */
  response: string;
  source: MessageSource;
  clientAddress: string | null;
  envelopeFrom: string | null;
  size: number | null;
  durationMs: number | null;
  messageId: string | null;
  /** the fault-script rule that answered, when `outcome` is fault (as it stood after this use). */
  fault?: StoredFaultRule | null;
}

export type FaultStage = 'rcpt' | 'data';

/** what a fault rule does: a full SMTP reply (4xx/5xx), a tarpit before the real answer, or a dropped connection. */
export type FaultAction = { kind: 'reply'; reply: string } | { kind: 'delay'; delayMs: number } | { kind: 'disconnect' };

/** one rule of a fault script, as a client gives it. */
export interface FaultRule {
  stage: FaultStage;
  action: FaultAction;
  /** the next N matching attempts; null = until deleted. */
  times: number | null;
}

/** whose script: one mailbox, or every mailbox of an owner's run group. */
export type FaultScope = { kind: 'mailbox'; mailboxId: string } | { kind: 'group'; ownerId: string; group: string };

export interface StoredFaultRule extends FaultRule {
  id: string;
  scope: FaultScope;
  /** its place in the script (0 first). */
  position: number;
  /** attempts it has answered so far. */
  used: number;
  createdAt: number;
}

/** what a list returns: no bodies, no headers. */
export type MessageSummary = Omit<Message, 'bodyText' | 'bodyHtml' | 'headers' | 'links' | 'envelopeFrom'>;
