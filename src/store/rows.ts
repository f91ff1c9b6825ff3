/**
 * Row ↔ entity mapping shared by both stores: the two schemas have the same columns (JSON parts
 * as TEXT). Conversions are tolerant of each driver's types: PostgreSQL BIGINT arrives as a
 * string and BOOLEAN as a boolean, SQLite gives numbers for both.
 */
import type { ApiKey, DeliveryAttempt, FaultAction, FaultScope, Mailbox, Message, MessageSummary, OwnerType, Plan, StoredFaultRule, User } from '../core/types.js';

export type Row = Record<string, unknown>;

const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toPlan(r: Row): Plan {
  return {
    name: String(r.name),
    maxMailboxes: num(r.max_mailboxes),
    maxMessagesPerMailbox: num(r.max_messages_per_mailbox),
    defaultTtlMinutes: num(r.default_ttl_minutes),
    maxTtlMinutes: num(r.max_ttl_minutes),
    maxMessageBytes: num(r.max_message_bytes),
  };
}

export function toUser(r: Row): User {
  return { id: String(r.id), email: String(r.email), plan: String(r.plan), active: Boolean(r.active), createdAt: num(r.created_at) };
}

export function toApiKey(r: Row): ApiKey {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    prefix: String(r.prefix),
    name: String(r.name),
    createdAt: num(r.created_at),
    lastUsedAt: numOrNull(r.last_used_at),
    active: Boolean(r.active),
  };
}

export function toMailbox(r: Row): Mailbox {
  return {
    id: String(r.id),
    address: String(r.address),
    domain: String(r.domain),
    ownerType: String(r.owner_type) as OwnerType,
    ownerId: String(r.owner_id),
    tokenHash: str(r.token_hash),
    plan: String(r.plan),
    group: str(r.group_label),
    createdAt: num(r.created_at),
    expiresAt: num(r.expires_at),
    active: Boolean(r.active),
    lastSeq: num(r.last_seq),
    messageCount: num(r.message_count),
    deletedAt: numOrNull(r.deleted_at),
  };
}

/** the columns a list reads: everything but bodies, headers and links. */
export const SUMMARY_COLUMNS =
  'm.id, m.mailbox_id, b.address, m.seq, m.received_at, m.from_json, m.to_json, m.cc_json, m.subject, m.message_id_header, ' +
  'm.date_header, m.size, m.attachments_json, m.codes_json, m.tag, m.is_read, m.source, m.verdicts_json, m.parse_error';

export function toSummary(r: Row): MessageSummary {
  return {
    id: String(r.id),
    mailboxId: String(r.mailbox_id),
    address: String(r.address),
    seq: num(r.seq),
    receivedAt: num(r.received_at),
    from: json(r.from_json, null),
    to: json(r.to_json, []),
    cc: json(r.cc_json, []),
    subject: str(r.subject),
    messageIdHeader: str(r.message_id_header),
    date: str(r.date_header),
    size: num(r.size),
    attachments: json(r.attachments_json, []),
    codes: json(r.codes_json, []),
    tag: str(r.tag),
    isRead: Boolean(r.is_read),
    source: String(r.source) as Message['source'],
    verdicts: json(r.verdicts_json, null),
    parseError: str(r.parse_error),
  };
}

export function toMessage(r: Row): Message {
  return {
    ...toSummary(r),
    bodyText: str(r.body_text),
    bodyHtml: str(r.body_html),
    headers: json(r.headers_json, []),
    links: json(r.links_json, []),
    envelopeFrom: str(r.envelope_from),
  };
}

export function toDelivery(r: Row): DeliveryAttempt {
  return {
    id: String(r.id),
    address: String(r.address),
    at: num(r.at),
    outcome: String(r.outcome) as DeliveryAttempt['outcome'],
    reason: str(r.reason),
    errorCode: str(r.error_code) as DeliveryAttempt['errorCode'],
    smtpCode: numOrNull(r.smtp_code),
    enhancedCode: str(r.enhanced_code),
    response: String(r.response),
    source: String(r.source) as DeliveryAttempt['source'],
    clientAddress: str(r.client_address),
    envelopeFrom: str(r.envelope_from),
    size: numOrNull(r.size),
    durationMs: numOrNull(r.duration_ms),
    messageId: str(r.message_id),
    ...(typeof r.fault_json === 'string' ? { fault: JSON.parse(r.fault_json) as StoredFaultRule } : {}),
  };
}

/** the fault rule a timeline row keeps (fault_json). */
export function faultJson(a: DeliveryAttempt): string | null {
  return a.fault ? JSON.stringify(a.fault) : null;
}

export function toFaultRule(r: Row): StoredFaultRule {
  const action: FaultAction =
    r.reply !== null && r.reply !== undefined ? { kind: 'reply', reply: String(r.reply) } : r.delay_ms !== null && r.delay_ms !== undefined ? { kind: 'delay', delayMs: num(r.delay_ms) } : { kind: 'disconnect' };
  const scope: FaultScope = r.mailbox_id !== null && r.mailbox_id !== undefined ? { kind: 'mailbox', mailboxId: String(r.mailbox_id) } : { kind: 'group', ownerId: String(r.owner_id), group: String(r.group_label) };
  return { id: String(r.id), scope, position: num(r.position), stage: String(r.stage) as StoredFaultRule['stage'], action, times: numOrNull(r.times), used: num(r.used), createdAt: num(r.created_at) };
}

/**
 * a boolean expression over the mailbox row aliased `b`: some fault rule with uses left governs
 * it, its own or (for a key owner's mailbox with a group) its group's, as `core/faults.ts`
 * scopesOf picks them. Two EXISTS, so each uses its own index (0005's fault_rules_mailbox and
 * fault_rules_group).
 */
export const FAULT_RULES_LEFT =
  `(EXISTS (SELECT 1 FROM fault_rules f WHERE f.mailbox_id = b.id AND (f.times IS NULL OR f.used < f.times)) OR ` +
  `(b.group_label IS NOT NULL AND b.owner_type <> 'anonymous' AND EXISTS (SELECT 1 FROM fault_rules f WHERE f.owner_id = b.owner_id AND f.group_label = b.group_label AND (f.times IS NULL OR f.used < f.times))))`;

/** the WHERE fragment and its values that pick one scope's rules (placeholders from `ph`). */
export function faultScopeWhere(scope: FaultScope, ph: (i: number) => string, from = 0): { sql: string; params: unknown[] } {
  return scope.kind === 'mailbox'
    ? { sql: `mailbox_id = ${ph(from + 1)}`, params: [scope.mailboxId] }
    : { sql: `(owner_id = ${ph(from + 1)} AND group_label = ${ph(from + 2)})`, params: [scope.ownerId, scope.group] };
}
