/**
 * The JSON shapes Inboxd answers with, written by hand from the server's presenters and schemas
 * (the SDK imports nothing from the server). Field names stay snake_case, as on the wire, so a
 * value logged from the SDK reads the same as one from curl.
 */

/** how a mailbox was created: anonymously (session token), with an API key, or by an MCP agent. */
export type OwnerType = 'anonymous' | 'api' | 'mcp';

/** what an export is written as: mbox (mboxrd, one file) or zip (one .eml per message, byte-exact). */
export type ExportFormat = 'mbox' | 'zip';

/** a mailbox as the server describes it (`GET /api/v1/mailboxes/{address}`). */
export interface MailboxInfo {
  /** the whole address, lower-case, e.g. `brave-otter-1234@inboxd.test`. */
  address: string;
  /** the receiving domain it is on. */
  domain: string;
  /** ISO 8601 creation time. */
  created_at: string;
  /** ISO 8601 expiry time; exact to the second. */
  expires_at: string;
  /** seconds until expiry at the time of the answer (0 once expired). */
  expires_in: number;
  /** who owns it. */
  owner_type: OwnerType;
  /** the group label it was created with, if any. */
  group: string | null;
  /** the highest seq given so far: wait with `afterSeq: last_seq` to ignore older mail. */
  last_seq: number;
  /** messages currently stored. */
  message_count: number;
  /**
   * on create only: an anonymous mailbox's credential for every later call (shown once), or
   * `null` when it was created with an API key. Absent on every other answer.
   */
  session_token?: string | null;
}

/** a verification code found in a message, most likely first in `codes`. */
export interface VerificationCode {
  /** the code itself, e.g. `"482913"`. */
  value: string;
  /** where it was found. */
  source: 'subject' | 'text' | 'html';
  /** the text around it, for a human reading logs. */
  context: string;
}

/** a link found in a message; Inboxd never requests it (magic links can be single-use). */
export interface MessageLink {
  /** the absolute URL. */
  url: string;
  /** the link text (HTML) or null. */
  text: string | null;
  /** which body it came from. */
  source: 'text' | 'html';
}

/** an attachment's metadata; fetch its bytes with `Mailbox.attachment(id, index)`. */
export interface AttachmentInfo {
  /** position in the message, the `n` of `…/attachments/{n}`. */
  index: number;
  filename: string | null;
  content_type: string;
  size: number;
  /** for inline parts referenced as `cid:` from the HTML. */
  content_id: string | null;
}

/** one header line, in order, as received. */
export interface MessageHeader {
  name: string;
  value: string;
}

/** a message as lists show it: no bodies, headers or links. */
export interface MessageSummary {
  /** time-sortable id. */
  id: string;
  /** the same as `id`: Inboxd's id, the name events and the delivery timeline use (the Message-ID header is `header_message_id`). */
  message_id: string;
  /** 1, 2, 3… within the mailbox: the order of arrival. */
  seq: number;
  /** the From address. */
  from: string | null;
  /** the From display name. */
  from_name: string | null;
  /** the From address as the seed API named it: a string, `''` when the message has no From. */
  from_address: string;
  /** the To header addresses. */
  to: string[];
  /** the mailbox's address (the recipient this copy was delivered to), as the seed API named it. */
  to_address: string;
  cc: string[];
  subject: string | null;
  /** ISO 8601 time the server accepted it. */
  received_at: string;
  /** bytes of the raw source. */
  size: number;
  is_read: boolean;
  /** the `+tag` of the recipient address, if it had one. */
  tag: string | null;
  /** how it arrived. */
  source: 'smtp' | 'ses';
  has_attachments: boolean;
  /** verification codes, most likely first: `message.codes[0]?.value`. */
  codes: VerificationCode[];
  /** set when the MIME could not be parsed; the raw source is still kept. */
  parse_error: string | null;
}

/** one answer of `Inboxd.search`: a message summary and the mailbox that holds it. */
export interface SearchResult extends MessageSummary {
  /** the mailbox that holds the message (read it with `inboxd.mailbox(address).getMessage(id)`). */
  address: string;
}

/** a whole message (`GET …/messages/{id}` and the waits). */
export interface Message extends MessageSummary {
  /** the Message-ID header (called `message_id` before; `message_id` is now Inboxd's id). */
  header_message_id: string | null;
  /** the Date header as sent. */
  date: string | null;
  /** the SMTP envelope sender (MAIL FROM). */
  envelope_from: string | null;
  body_text: string | null;
  body_html: string | null;
  headers: MessageHeader[];
  attachments: AttachmentInfo[];
  /** links found in the bodies: `message.links[0]?.url`. */
  links: MessageLink[];
  /** spam/virus verdicts when the carrier (SES) gave them. */
  verdicts: Record<string, string> | null;
}

/** one attachment's bytes, from `Mailbox.attachment(id, index)`. */
export interface Attachment {
  /** the file name the sender gave (`attachment-N` when it gave none). */
  filename: string | null;
  /** the MIME type, e.g. `application/pdf`. */
  contentType: string;
  /** the content, byte for byte. */
  bytes: Uint8Array;
}

/** one delivery attempt to an address, accepted or refused (`GET …/deliveries`). */
export interface DeliveryAttempt {
  /** ISO 8601 time of the attempt. */
  at: string;
  /** `fault`: a fault script answered, delayed or dropped the attempt (see `fault`). */
  outcome: 'accepted' | 'refused' | 'fault';
  /** why it was refused (an error code), or `parse_error` on an accepted but unparseable message. */
  reason: string | null;
  /** what the sender was told, e.g. `"452 4.2.2 Mailbox full"`. */
  response: string;
  /** the SMTP reply code the sender was given (`null` for SES). */
  smtp_code: number | null;
  /** the enhanced status code of that reply, e.g. `"5.3.4"` (`null` for SES). */
  enhanced_code: string | null;
  source: 'smtp' | 'ses';
  client_address: string | null;
  envelope_from: string | null;
  size: number | null;
  duration_ms: number | null;
  /** the stored message's id when accepted. */
  message_id: string | null;
  /** the fault-script rule that answered (outcome `fault`), as it stood after this use. */
  fault: FaultRuleInfo | null;
}

/** a message that arrived during or before a wait but did not match it (`InboxdError.arrived`). */
export interface NearMiss extends MessageSummary {
  /** the wait filters it did not match. */
  failed: ('from' | 'subject' | 'body' | 'pattern')[];
}

/** where a fault rule acts: at RCPT TO (that recipient only) or at the end of DATA. */
export type FaultStage = 'rcpt' | 'data';

/** a fault rule as written: a stage, exactly one of `reply`, `delay_ms`, `disconnect`, and `times`. */
export interface FaultRule {
  stage: FaultStage;
  /** a full SMTP reply, 4xx or 5xx, e.g. `"451 4.3.0 Try again later"`. */
  reply?: string;
  /** milliseconds to hold the answer before the real one (bounded by the server). */
  delay_ms?: number;
  /** close the connection at that stage; nothing is stored. */
  disconnect?: true;
  /** the next N matching attempts, then the next rule; absent or null: until deleted. */
  times?: number | null;
}

/** a fault rule as the server reads it back, with its use count. */
export interface FaultRuleInfo {
  stage: FaultStage;
  reply?: string;
  delay_ms?: number;
  disconnect?: true;
  times: number | null;
  /** attempts this rule has answered. */
  used: number;
  /** whose script: the mailbox's own, or its run group's. */
  scope: 'mailbox' | 'group';
}

/** a mailbox's or a group's fault script (`GET …/faults`). */
export interface FaultScript {
  address?: string;
  group?: string;
  rules: FaultRuleInfo[];
}

/** the receiving domains (`GET /api/v1/domains`); the first is the default. */
export interface DomainList {
  domains: string[];
  default: string;
}

/** an API key as its owner sees it (`GET /api/v1/keys`): never the key itself, never its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** the first characters of the key, to tell keys apart. */
  prefix: string;
  created_at: string;
  /** to the minute; null when never used. */
  last_used_at: string | null;
  /** false once revoked. */
  active: boolean;
}

/** the answer to `Inboxd.createKey`: the key itself is here, and never shown again. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

/** an outbound webhook endpoint (`GET /api/v1/webhooks`). */
export interface WebhookInfo {
  id: string;
  url: string;
  events: 'new_message'[];
  /** only this mailbox's events; null: every mailbox of the owner. */
  mailbox: string | null;
  /** only mailboxes of this group; null: any. */
  group: string | null;
  /** the body carries the whole message instead of its summary. */
  include_message: boolean;
  enabled: boolean;
  /** why it was disabled (a 410 from the receiver, repeated failure, its owner). */
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  last_success_at: string | null;
  /** the signing secret (whsec_…): only in the answer that created it. */
  secret?: string;
}

/** the answer to `inboxd.webhooks.create`: the signing secret is here, and never shown again. */
export interface CreatedWebhook extends WebhookInfo {
  secret: string;
}

/** one try to deliver an event to a webhook. */
export interface WebhookAttempt {
  id: string;
  /** the webhook-id header the receiver saw (the same on every retry). */
  event_id: string;
  /** 1 for the first try. */
  attempt: number;
  at: string;
  /** the receiver's HTTP status; null when no answer came. */
  status_code: number | null;
  /** why there was no answer (connect timeout, refused target, …). */
  error: string | null;
  latency_ms: number;
  /** when the next try is due; null when delivered or given up. */
  next_retry_at: string | null;
}

/** the answer to `Inboxd.deleteGroup`. */
export interface DeletedGroup {
  /** how many mailboxes were deleted. */
  deleted: number;
  /** their addresses. */
  addresses: string[];
}

/** a message was accepted and can be read. */
export interface NewMessageEvent {
  event: 'new_message';
  message_id: string;
  seq: number;
  address: string;
  from: string | null;
  subject: string | null;
  received_at: string;
}

/** a message was deleted. */
export interface MessageDeletedEvent {
  event: 'message_deleted';
  address: string;
  message_id: string;
  seq: number;
}

/** the mailbox was deleted; the stream ends after this event. */
export interface MailboxDeletedEvent {
  event: 'mailbox_deleted';
  address: string;
}

/** the mailbox's TTL passed; the stream ends after this event. */
export interface MailboxExpiredEvent {
  event: 'mailbox_expired';
  address: string;
  expires_at: string;
}

/** what `Mailbox.events()` yields (keep-alive pings are consumed by the SDK, never yielded). */
export type MailboxEvent = NewMessageEvent | MessageDeletedEvent | MailboxDeletedEvent | MailboxExpiredEvent;
