/**
 * The one path by which a message enters Inboxd, whatever carried it (SMTP, the SES webhook):
 * resolve each recipient → plan and quota → parse (off the event loop) → commit every accepted
 * copy in one transaction → publish after the commit. Edges never parse MIME and never write
 * messages themselves.
 */
import { isOurDomain, parseAddress } from './addresses.js';
import type { CoreDeps } from './context.js';
import { DomainError, isDomainError } from './errors.js';
import type { NewMessageEvent } from './events.js';
import { publishQuietly } from './mailboxes.js';
import { checkMessageQuota, checkMessageSize } from './quota.js';
import type { Mailbox, MessageSource, Plan } from './types.js';
import type { InsertedMessage } from '../store/store.js';

/** an accepted recipient, judged on its own mailbox, owner and plan. */
export interface Recipient {
  /** as given by the sender, trimmed. */
  given: string;
  address: string;
  tag: string | null;
  mailbox: Mailbox;
  plan: Plan;
}

export interface DeliveryMeta {
  source: MessageSource;
  envelopeFrom: string | null;
  remoteAddress?: string | undefined;
  verdicts?: Record<string, string> | null;
}

export interface Delivery {
  /**
   * judges one recipient before the content arrives (SMTP RCPT time).
   * @param declaredSize the sender's SIZE= declaration, when given.
   * @throws DomainError mailbox_not_found | mailbox_expired | quota_exceeded | message_too_large | storage_unavailable
   */
  resolveRecipient(rcpt: string, declaredSize?: number): Promise<Recipient>;
  /**
   * stores one copy per recipient and publishes new_message for each; resolves only after the
   * commit, so a caller may answer "250" then. All or nothing across the recipients.
   * @throws DomainError message_too_large | quota_exceeded | mailbox_expired | mailbox_not_found | storage_unavailable
   */
  deliver(raw: Buffer, recipients: Recipient[], meta: DeliveryMeta): Promise<InsertedMessage[]>;
}

export function createDelivery(deps: CoreDeps): Delivery {
  const { store, clock, settings } = deps;
  const log = deps.log.child({ component: 'delivery' });

  async function resolveRecipient(rcpt: string, declaredSize?: number): Promise<Recipient> {
    let parsed;
    try {
      parsed = parseAddress(rcpt);
    } catch (err) {
      if (isDomainError(err, 'invalid_input')) throw new DomainError('mailbox_not_found', 'no such mailbox');
      throw err;
    }
    if (!isOurDomain(parsed.domain, settings.domains)) throw new DomainError('mailbox_not_found', 'no such mailbox here');
    const mailbox = await store.getMailbox(parsed.address);
    if (!mailbox || mailbox.deletedAt !== null) throw new DomainError('mailbox_not_found', 'no such mailbox');
    // exact expiry: the clock decides, not whether the sweeper has run yet (DESIGN rule 2)
    if (!mailbox.active || mailbox.expiresAt <= clock.now()) throw new DomainError('mailbox_expired', 'mailbox expired');
    const plan = await store.getPlan(mailbox.plan);
    if (!plan) throw new DomainError('storage_unavailable', `plan ${mailbox.plan} is missing`);
    checkMessageQuota(mailbox.messageCount, plan);
    if (declaredSize !== undefined && declaredSize > 0) checkMessageSize(declaredSize, plan, settings);
    return { given: rcpt.trim(), address: parsed.address, tag: parsed.tag, mailbox, plan };
  }

  async function deliver(raw: Buffer, recipients: Recipient[], meta: DeliveryMeta): Promise<InsertedMessage[]> {
    if (recipients.length === 0) throw new DomainError('invalid_input', 'no recipients');
    for (const r of recipients) checkMessageSize(raw.length, r.plan, settings);
    const content = await deps.mime.parse(raw);
    if (content.parseError) log.warn({ parseError: content.parseError, size: raw.length }, 'stored unparsed');
    const now = clock.now();
    const inserted = await store.insertMessages(
      recipients.map((r) => ({
        mailboxId: r.mailbox.id,
        tag: r.tag,
        receivedAt: now,
        size: raw.length,
        source: meta.source,
        envelopeFrom: meta.envelopeFrom,
        verdicts: meta.verdicts ?? null,
        content,
        raw,
        maxMessages: r.plan.maxMessagesPerMailbox,
        now,
      })),
    );
    const receivedAt = new Date(now).toISOString();
    await Promise.all(
      inserted.map((m, i) => {
        const address = recipients[i]!.address;
        const event: NewMessageEvent = {
          event: 'new_message',
          message_id: m.id,
          seq: m.seq,
          address,
          from: content.from?.address ?? null,
          subject: content.subject,
          received_at: receivedAt,
        };
        return publishQuietly(deps, address, event);
      }),
    );
    log.debug({ recipients: inserted.length, size: raw.length, source: meta.source }, 'delivered');
    return inserted;
  }

  return { resolveRecipient, deliver };
}
