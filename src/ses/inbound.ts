/**
 * Turns an SES "Received" notification into a delivery through the one delivery core: recipients
 * from `receipt.recipients` (each judged on its own), the content inline (SNS action, base64 or
 * UTF-8 as the receipt rule says) or read from S3 (S3 action, any size), SES's verdicts stored
 * with the message, and a message SES found a virus in (or spam, when configured) refused. Every
 * refusal is written to the recipient's delivery timeline. A mailbox's fault script applies here
 * too (core/delivery): a `reply` or `disconnect` rule at either stage drops that recipient (at
 * rcpt) or the message (at data), recorded as a fault; SES has no connection to hold or cut, so
 * delay rules are skipped (and not spent) on this path. Signatures and topics are checked
 * before this runs (sns-verify.ts and the route); this file trusts what it is given.
 * @see https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html
 */
import type { AttemptContext, Delivery, Recipient } from '../core/delivery.js';
import { DomainError, type ErrorCode, isDomainError } from '../core/errors.js';
import { isScriptedFault } from '../core/faults.js';
import type { S3Reader } from './s3.js';

/** SES puts at most 50 recipients on one message; more is not SES. */
const MAX_RECIPIENTS = 100;

export interface SesNotification {
  notificationType: string;
  mail: { messageId: string; source: string | null };
  receipt: {
    recipients: string[];
    verdicts: Record<string, string> | null;
    action: { type: string; encoding?: string; bucketName?: string; objectKey?: string };
  };
  content: string | null;
}

export interface InboundOutcome {
  status: 'stored' | 'refused' | 'ignored';
  stored: { address: string; message_id: string }[];
  /** the reason: the error code, the SES verdict (`virus`, `spam`) that refused the content, or `fault` (the mailbox's fault script). */
  refused: { address: string; reason: ErrorCode | ContentVerdict | 'fault' }[];
}

/** an SES verdict that refuses a message's content. */
export type ContentVerdict = 'virus' | 'spam';

export interface InboundDeps {
  delivery: Delivery;
  s3: S3Reader;
  /** the largest message accepted from any ingest (core's setting). */
  maxMessageBytes: number;
  /** refuse a message SES's spam verdict failed (a virus is always refused). */
  refuseSpam: boolean;
}

const VERDICTS = { spam: 'spamVerdict', virus: 'virusVerdict', spf: 'spfVerdict', dkim: 'dkimVerdict', dmarc: 'dmarcVerdict' } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * reads the SNS `Message` of an SES notification.
 * @throws DomainError invalid_input
 */
export function parseSesNotification(message: string): SesNotification {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    throw new DomainError('invalid_input', 'the SNS Message is not JSON');
  }
  if (!isObject(v) || typeof v.notificationType !== 'string') throw new DomainError('invalid_input', 'the SNS Message is not an SES notification');
  const { mail, receipt } = v;
  if (!isObject(mail) || typeof mail.messageId !== 'string') throw new DomainError('invalid_input', 'the SES notification has no mail.messageId');
  if (!isObject(receipt) || !isObject(receipt.action) || typeof receipt.action.type !== 'string') throw new DomainError('invalid_input', 'the SES notification has no receipt.action');
  const recipients = receipt.recipients;
  if (!Array.isArray(recipients) || !recipients.every((r) => typeof r === 'string') || recipients.length > MAX_RECIPIENTS) {
    throw new DomainError('invalid_input', 'the SES notification has no valid receipt.recipients');
  }
  const verdicts: Record<string, string> = {};
  for (const [name, field] of Object.entries(VERDICTS)) {
    const verdict = receipt[field];
    if (isObject(verdict) && typeof verdict.status === 'string') verdicts[name] = verdict.status.toLowerCase();
  }
  const action = receipt.action;
  const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    notificationType: v.notificationType,
    mail: { messageId: mail.messageId, source: typeof mail.source === 'string' && mail.source !== '' ? mail.source : null },
    receipt: {
      recipients: [...new Set(recipients as string[])],
      verdicts: Object.keys(verdicts).length > 0 ? verdicts : null,
      action: { type: action.type as string, encoding: str(action.encoding), bucketName: str(action.bucketName), objectKey: str(action.objectKey) },
    },
    content: typeof v.content === 'string' ? v.content : null,
  };
}

/**
 * delivers one notification.
 * @throws DomainError storage_unavailable (the store or S3 could not be reached: the caller answers 5xx so SNS retries) | invalid_input
 */
export async function deliverSesNotification(deps: InboundDeps, n: SesNotification, startedAt: number): Promise<InboundOutcome> {
  const outcome: InboundOutcome = { status: 'ignored', stored: [], refused: [] };
  // SES also publishes bounce and complaint notifications to topics; only received mail is ours
  if (n.notificationType !== 'Received') return outcome;
  const ctx: AttemptContext = {
    source: 'ses',
    envelopeFrom: n.mail.source,
    // SNS is answered 200 for a refusal (a retry would change nothing); the timeline says why
    replyFor: (code) => ({ smtpCode: null, enhancedCode: null, text: code === null ? 'accepted from SES' : `refused: ${code}` }),
  };
  const accepted: Recipient[] = [];
  for (const rcpt of n.receipt.recipients) {
    try {
      accepted.push(await deps.delivery.resolveRecipient(rcpt, undefined, ctx));
    } catch (err) {
      if (isScriptedFault(err)) {
        outcome.refused.push({ address: rcpt, reason: 'fault' });
        continue;
      }
      if (!isDomainError(err) || err.code === 'storage_unavailable') throw err;
      outcome.refused.push({ address: rcpt, reason: err.code });
    }
  }
  outcome.status = 'refused';
  if (accepted.length === 0) return outcome;

  // judged after the recipients, so each refusal lands in the timeline of a mailbox that exists
  const verdict = refusingVerdict(n, deps.refuseSpam);
  if (verdict) {
    deps.delivery.refuse(accepted, 'message_rejected', { ...ctx, startedAt, reason: verdict });
    for (const r of accepted) outcome.refused.push({ address: r.address, reason: verdict });
    return outcome;
  }
  let raw: Buffer;
  try {
    raw = await content(deps, n);
  } catch (err) {
    if (!isDomainError(err) || err.code === 'storage_unavailable') throw err;
    // a mailbox owner sees why mail SES accepted never arrived (an S3 object outside the allow-list included)
    deps.delivery.refuse(accepted, err.code, { ...ctx, startedAt });
    if (err.code !== 'message_too_large') throw err;
    for (const r of accepted) outcome.refused.push({ address: r.address, reason: err.code });
    return outcome;
  }
  try {
    const inserted = await deps.delivery.deliver(raw, accepted, { ...ctx, verdicts: n.receipt.verdicts, startedAt });
    outcome.status = 'stored';
    outcome.stored = inserted.map((m, i) => ({ address: accepted[i]!.address, message_id: m.id }));
  } catch (err) {
    if (isScriptedFault(err)) {
      for (const r of accepted) outcome.refused.push({ address: r.address, reason: 'fault' });
      return outcome;
    }
    if (!isDomainError(err) || err.code === 'storage_unavailable') throw err;
    for (const r of accepted) outcome.refused.push({ address: r.address, reason: err.code });
  }
  return outcome;
}

function refusingVerdict(n: SesNotification, refuseSpam: boolean): ContentVerdict | null {
  if (n.receipt.verdicts?.virus === 'fail') return 'virus';
  if (refuseSpam && n.receipt.verdicts?.spam === 'fail') return 'spam';
  return null;
}

async function content(deps: InboundDeps, n: SesNotification): Promise<Buffer> {
  const { action } = n.receipt;
  if (action.type === 'S3') {
    if (!action.bucketName || !action.objectKey) throw new DomainError('invalid_input', 'the S3 action names no bucket or key');
    return deps.s3.get(action.bucketName, action.objectKey, deps.maxMessageBytes);
  }
  if (n.content === null) throw new DomainError('invalid_input', `the ${action.type} notification carries no content (use the SNS or S3 action)`);
  // the receipt rule's encoding: BASE64 keeps every byte; UTF-8 (the default) may not
  const raw = action.encoding?.toUpperCase() === 'BASE64' ? Buffer.from(n.content, 'base64') : Buffer.from(n.content, 'utf8');
  if (raw.length > deps.maxMessageBytes) throw new DomainError('message_too_large', `the message is ${raw.length} bytes`);
  return raw;
}
