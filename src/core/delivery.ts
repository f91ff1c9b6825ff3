/**
 * The one path by which a message enters Inboxd, whatever carried it (SMTP, the SES webhook):
 * resolve each recipient → plan and quota → parse (off the event loop) → commit every accepted
 * copy in one transaction → publish after the commit. Edges never parse MIME and never write
 * messages themselves.
 */
import { isOurDomain, parseAddress } from './addresses.js';
import { announceCaught, catches, catchMailbox } from './catch-all.js';
import type { CoreDeps } from './context.js';
import { DomainError, type ErrorCode, isDomainError } from './errors.js';
import { newMessageEvent, publishQuietly } from './events.js';
import { createCommitWatch } from './commit-watch.js';
import { describeFault, ScriptedFault, takeFault, tarpit } from './faults.js';
import type { HealthCheck } from './health.js';
import { checkMessageQuota, checkMessageSize } from './quota.js';
import type { Timeline } from './timeline.js';
import { newId } from './ids.js';
import type { FaultStage, Mailbox, MessageSource, Plan, StoredFaultRule, User } from './types.js';
import type { InsertedMessage } from './store.js';

/** an accepted recipient, judged on its own mailbox, owner and plan. */
export interface Recipient {
  /** as given by the sender, trimmed. */
  given: string;
  address: string;
  tag: string | null;
  mailbox: Mailbox;
  plan: Plan;
  /**
   * false when no fault script governed the mailbox as it was judged: DATA then takes no rule (a
   * script put between RCPT and DATA applies from the next transaction). Absent: DATA looks.
   */
  faults?: boolean;
}

/** the answer an edge gave the sender, kept structured so no reader parses codes back out of text. */
export interface AttemptReply {
  /** SMTP reply code, or null when the edge does not speak SMTP (SES). */
  smtpCode: number | null;
  /** RFC 3463 enhanced status code, or null when the edge does not speak SMTP. */
  enhancedCode: string | null;
  /** the answer as the edge wrote it. */
  text: string;
}

/** who is delivering, and how the edge words its answers (for the delivery timeline). */
export interface AttemptContext {
  source: MessageSource;
  envelopeFrom: string | null;
  remoteAddress?: string | undefined;
  /** the answer the edge gives for an outcome: null = accepted. */
  replyFor?: (code: ErrorCode | null) => AttemptReply;
  /** the owner of the API key the SMTP session authenticated with: owns what it catches. */
  sessionUser?: User | null;
}

export interface DeliveryMeta extends AttemptContext {
  verdicts?: Record<string, string> | null;
  /** when the sender started handing over this message (for the timeline's duration). */
  startedAt?: number | undefined;
}

export interface Delivery {
  /**
   * judges one recipient before the content arrives (SMTP RCPT time).
   * @param declaredSize the sender's SIZE= declaration, when given.
   * @throws DomainError mailbox_not_found | mailbox_expired | quota_exceeded | message_too_large | storage_unavailable
   */
  resolveRecipient(rcpt: string, declaredSize?: number, ctx?: AttemptContext): Promise<Recipient>;
  /**
   * stores one copy per recipient and publishes new_message for each; resolves right after the
   * commit (the publish is not awaited), so a caller may answer "250" then. All or nothing
   * across the recipients.
   * @throws DomainError message_too_large | quota_exceeded | mailbox_expired | mailbox_not_found | storage_unavailable
   */
  deliver(raw: Buffer, recipients: Recipient[], meta: DeliveryMeta): Promise<InsertedMessage[]>;
  /**
   * records a refusal the edge decided on its own (a message past the size limit while it was
   * still streaming in) in the timeline of each recipient it was for.
   * @param meta.size the bytes the sender handed over, when known; `meta.reason` a finer reason than the code (e.g. `virus`).
   */
  refuse(recipients: Recipient[], code: ErrorCode, meta: DeliveryMeta & { size?: number | null; reason?: string }): void;
  /**
   * records a refusal the edge decided before judging a recipient (a client blocked for guessing
   * recipients) in that address's timeline, when the address has a mailbox. Never rejects.
   */
  refuseRecipient(rcpt: string, code: ErrorCode, ctx: AttemptContext): Promise<void>;
  /** the `commits` check of /health: degraded while deliveries cannot commit within the bound. */
  health: HealthCheck;
}

export function createDelivery(deps: CoreDeps, timeline?: Timeline): Delivery {
  const { store, clock, settings } = deps;
  const log = deps.log.child({ component: 'delivery' });
  const commits = createCommitWatch(deps, settings.commitTimeoutMs ?? 5000);

  function note(address: string, ctx: AttemptContext | undefined, outcome: { code: ErrorCode | null; reason?: string | null; size?: number | null; messageId?: string | null; startedAt?: number | undefined }) {
    if (outcome.code !== null) deps.metrics.inc('inboxd_deliveries_refused_total', { reason: outcome.code });
    if (!timeline || !ctx) return;
    const at = clock.now();
    const reply = ctx.replyFor ? ctx.replyFor(outcome.code) : { smtpCode: null, enhancedCode: null, text: outcome.code ?? 'accepted' };
    timeline.record({
      id: newId(at),
      address,
      at,
      outcome: outcome.code === null ? 'accepted' : 'refused',
      reason: outcome.reason ?? outcome.code,
      errorCode: outcome.code,
      smtpCode: reply.smtpCode,
      enhancedCode: reply.enhancedCode,
      response: reply.text,
      source: ctx.source,
      clientAddress: ctx.remoteAddress ?? null,
      envelopeFrom: ctx.envelopeFrom,
      size: outcome.size ?? null,
      durationMs: outcome.startedAt !== undefined ? Math.max(0, at - outcome.startedAt) : null,
      messageId: outcome.messageId ?? null,
    });
  }

  /** a fault script's answer, in the timeline as outcome `fault` with the rule, and one log line. */
  function noteFault(address: string, ctx: AttemptContext | undefined, rule: StoredFaultRule, extra: { size?: number | null; startedAt?: number | undefined } = {}) {
    deps.metrics.inc('inboxd_delivery_faults_total', { stage: rule.stage, action: rule.action.kind });
    const text = describeFault(rule);
    log.info({ address, stage: rule.stage, fault: text, source: ctx?.source ?? null, client: ctx?.remoteAddress ?? null }, 'fault script');
    if (!timeline || !ctx) return;
    const at = clock.now();
    const reply = rule.action.kind === 'reply' ? /^(\d{3})(?: ([245]\.\d{1,3}\.\d{1,3}))?/.exec(rule.action.reply) : null;
    timeline.record({
      id: newId(at),
      address,
      at,
      outcome: 'fault',
      reason: 'fault',
      errorCode: null,
      // SES has no SMTP conversation: the reply a rule would give is recorded, never sent
      smtpCode: reply && ctx.source === 'smtp' ? Number(reply[1]) : null,
      enhancedCode: reply && ctx.source === 'smtp' ? (reply[2] ?? null) : null,
      response: text,
      source: ctx.source,
      clientAddress: ctx.remoteAddress ?? null,
      envelopeFrom: ctx.envelopeFrom,
      size: extra.size ?? null,
      durationMs: extra.startedAt !== undefined ? Math.max(0, at - extra.startedAt) : null,
      messageId: null,
      fault: rule,
    });
  }

  /**
   * the fault scripts of `recipients` at `stage`: a delay is served here (on the core clock), a
   * reply or a disconnect is thrown to the edge as ScriptedFault (the first recipient's wins: SMTP
   * gives one answer to DATA). SES skips delay rules: the mail was accepted by SES already.
   */
  async function applyFaults(stage: FaultStage, recipients: { address: string; mailbox: Mailbox; faults?: boolean }[], ctx: AttemptContext | undefined, extra: { size?: number | null; startedAt?: number | undefined } = {}) {
    if (!ctx) return;
    let delayMs = 0;
    let stop: StoredFaultRule | null = null;
    for (const r of recipients) {
      // taking a rule is a write (and a round trip on the scale store): none when none was there
      if (r.faults === false) continue;
      const rule = await takeFault(deps, r.mailbox, stage, ctx.source !== 'ses');
      if (!rule) continue;
      noteFault(r.address, ctx, rule, extra);
      if (rule.action.kind === 'delay') delayMs = Math.max(delayMs, rule.action.delayMs);
      else stop ??= rule;
    }
    if (stop) throw new ScriptedFault(stop);
    if (delayMs > 0) await tarpit(deps, delayMs);
  }

  /** one info line per refusal: the reason and the answer the edge gives (#14 item 6). */
  function logRefused(address: string, code: ErrorCode, ctx: AttemptContext | undefined, extra: { reason?: string | null; size?: number | null } = {}): void {
    const reply = ctx?.replyFor?.(code);
    log.info(
      {
        address,
        reason: extra.reason ?? code,
        smtp: reply?.smtpCode ? `${reply.smtpCode}${reply.enhancedCode ? ` ${reply.enhancedCode}` : ''} ${reply.text}` : null,
        source: ctx?.source ?? null,
        client: ctx?.remoteAddress ?? null,
        size: extra.size ?? null,
      },
      'refused',
    );
  }

  async function resolveRecipient(rcpt: string, declaredSize?: number, ctx?: AttemptContext): Promise<Recipient> {
    try {
      return await judgeRecipient(rcpt, declaredSize, ctx);
    } catch (err) {
      if (isDomainError(err)) logRefused(rcpt.trim().toLowerCase(), err.code, ctx, { size: declaredSize ?? null });
      throw err;
    }
  }

  async function judgeRecipient(rcpt: string, declaredSize?: number, ctx?: AttemptContext): Promise<Recipient> {
    let parsed;
    try {
      parsed = parseAddress(rcpt);
    } catch (err) {
      if (isDomainError(err, 'invalid_input')) throw new DomainError('mailbox_not_found', 'no such mailbox');
      throw err;
    }
    const catching = catches(settings.catchAll, parsed.domain, settings.domains);
    if (!catching && !isOurDomain(parsed.domain, settings.domains)) throw new DomainError('mailbox_not_found', 'no such mailbox here');
    // the mailbox, its plan and whether a fault script governs it, in one read
    const found = await store.getRecipientMailbox(parsed.address);
    let mailbox = found?.mailbox ?? null;
    const live = (m: Mailbox | null): m is Mailbox => m !== null && m.deletedAt === null && m.active && m.expiresAt > clock.now();
    if (catching && !live(mailbox)) {
      try {
        mailbox = (await catchMailbox(deps, parsed, ctx?.sessionUser ?? null)) ?? mailbox;
      } catch (err) {
        if (isDomainError(err, 'quota_exceeded')) note(parsed.address, ctx, { code: err.code, size: declaredSize ?? null });
        throw err;
      }
    }
    // addresses that never had a mailbox are not timelined: random RCPTs must not fill the table
    if (!mailbox) throw new DomainError('mailbox_not_found', 'no such mailbox');
    try {
      if (mailbox.deletedAt !== null) throw new DomainError('mailbox_not_found', 'no such mailbox');
      // exact expiry: the clock decides, not whether the sweeper has run yet (DESIGN rule 2)
      if (!mailbox.active || mailbox.expiresAt <= clock.now()) throw new DomainError('mailbox_expired', 'mailbox expired');
      // a live mailbox's own script comes before its plan's limits: a scripted 451 is what the test asked for
      // a mailbox catch-all made just now was not part of that read: its plan and scripts are read on their own
      const read = found?.mailbox === mailbox ? found : null;
      const faults = read?.faults;
      await applyFaults('rcpt', [{ address: parsed.address, mailbox, faults }], ctx, { size: declaredSize ?? null });
      const plan = read ? read.plan : await store.getPlan(mailbox.plan);
      if (!plan) throw new DomainError('storage_unavailable', `plan ${mailbox.plan} is missing`);
      checkMessageQuota(mailbox.messageCount, plan);
      if (declaredSize !== undefined && declaredSize > 0) checkMessageSize(declaredSize, plan, settings);
      return { given: rcpt.trim(), address: parsed.address, tag: parsed.tag, mailbox, plan, ...(faults !== undefined ? { faults } : {}) };
    } catch (err) {
      if (isDomainError(err) && err.code !== 'storage_unavailable') note(parsed.address, ctx, { code: err.code, size: declaredSize ?? null });
      throw err;
    }
  }

  async function deliver(raw: Buffer, recipients: Recipient[], meta: DeliveryMeta): Promise<InsertedMessage[]> {
    if (recipients.length === 0) throw new DomainError('invalid_input', 'no recipients');
    await applyFaults('data', recipients, meta, { size: raw.length, startedAt: meta.startedAt });
    try {
      return await commit(raw, recipients, meta);
    } catch (err) {
      if (isDomainError(err)) for (const r of recipients) logRefused(r.address, err.code, meta, { size: raw.length });
      if (isDomainError(err) && err.code !== 'storage_unavailable') {
        for (const r of recipients) note(r.address, meta, { code: err.code, size: raw.length, startedAt: meta.startedAt });
      }
      throw err;
    }
  }

  async function commit(raw: Buffer, recipients: Recipient[], meta: DeliveryMeta): Promise<InsertedMessage[]> {
    for (const r of recipients) checkMessageSize(raw.length, r.plan, settings);
    const started = performance.now();
    const content = await deps.mime.parse(raw);
    if (content.parseError) deps.metrics.inc('inboxd_parse_errors_total');
    if (content.parseError) log.warn({ parseError: content.parseError, size: raw.length }, 'stored unparsed');
    const now = clock.now();
    const announce = (inserted: InsertedMessage[]) => {
      // the webhook outbox rows committed with the messages: the dispatcher sends them now
      if (inserted.some((m) => m.webhooks > 0)) deps.outbox?.ring();
      // the answer depends on the commit only: a hung bus must not make every 250 wait for its
      // publish timeout (#14 item 9). A late or lost event is caught up from the store by the feed.
      for (const [i, m] of inserted.entries()) {
        const address = recipients[i]!.address;
        const event = newMessageEvent(address, { id: m.id, seq: m.seq, receivedAt: now, from: content.from, subject: content.subject });
        void publishQuietly(deps, event);
        void announceCaught(deps, recipients[i]!.mailbox, event);
      }
    };
    const rows = recipients.map((r) => ({
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
    }));
    const commitStarted = performance.now();
    const inserted = await commits.run(
      () => store.insertMessages(rows),
      (late) => {
        deps.metrics.inc('inboxd_messages_stored_total', { source: meta.source }, late.length);
        announce(late);
      },
    );
    deps.metrics.observe('inboxd_store_commit_seconds', (performance.now() - commitStarted) / 1000);
    deps.metrics.observe('inboxd_delivery_seconds', (performance.now() - started) / 1000, { source: meta.source });
    deps.metrics.inc('inboxd_messages_stored_total', { source: meta.source }, inserted.length);
    inserted.forEach((m, i) =>
      note(recipients[i]!.address, meta, { code: null, reason: content.parseError ? 'parse_error' : null, size: raw.length, messageId: m.id, startedAt: meta.startedAt }),
    );
    announce(inserted);
    log.info(
      {
        message_ids: inserted.map((m) => m.id),
        recipients: inserted.length,
        size: raw.length,
        duration_ms: meta.startedAt !== undefined ? Math.max(0, clock.now() - meta.startedAt) : Math.round(performance.now() - started),
        source: meta.source,
        client: meta.remoteAddress ?? null,
        ...(content.parseError ? { parse_error: true } : {}),
      },
      'delivered',
    );
    return inserted;
  }

  function refuse(recipients: Recipient[], code: ErrorCode, meta: DeliveryMeta & { size?: number | null; reason?: string }): void {
    if (recipients.length === 0) deps.metrics.inc('inboxd_deliveries_refused_total', { reason: code });
    for (const r of recipients) logRefused(r.address, code, meta, { reason: meta.reason ?? null, size: meta.size ?? null });
    for (const r of recipients) note(r.address, meta, { code, reason: meta.reason ?? null, size: meta.size ?? null, startedAt: meta.startedAt });
  }

  async function refuseRecipient(rcpt: string, code: ErrorCode, ctx: AttemptContext): Promise<void> {
    logRefused(rcpt.trim().toLowerCase(), code, ctx);
    try {
      const parsed = parseAddress(rcpt);
      if (!isOurDomain(parsed.domain, settings.domains)) return;
      // addresses that never had a mailbox are not timelined, as in resolveRecipient
      if (await store.getMailbox(parsed.address)) note(parsed.address, ctx, { code });
      else deps.metrics.inc('inboxd_deliveries_refused_total', { reason: code });
    } catch {
      deps.metrics.inc('inboxd_deliveries_refused_total', { reason: code });
    }
  }

  return { resolveRecipient, deliver, refuse, refuseRecipient, health: commits.health };
}
