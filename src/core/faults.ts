/**
 * SMTP fault scripts (#16 item 1): a mailbox (or a run group) carries an ordered list of rules
 * that make the server misbehave for that mailbox only, deterministically: "451 twice, then
 * accept" is a script, not a probability (Mailpit's chaos mode is global and random, so parallel
 * tests break each other). Each rule applies to the next `times` matching attempts, then falls
 * through to the next rule, then to normal delivery. The counting happens in the store, one
 * atomic consume per attempt, so every node of the scale pair shares one count.
 *
 * Edges learn of a fault through `ScriptedFault` (reply, disconnect); a delay is served here,
 * on the core clock, before the real answer (tests move a ManualClock instead of sleeping).
 */
import { openMailbox, type Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import type { FaultAction, FaultRule, FaultScope, FaultStage, Mailbox, StoredFaultRule } from './types.js';

export type { FaultAction, FaultRule, FaultScope, FaultStage, StoredFaultRule } from './types.js';

/** rules one mailbox or group may carry: a script, not a program. */
export const MAX_FAULT_RULES = 20;
/** the longest `times`: beyond it, leave `times` out (until deleted). */
export const MAX_FAULT_TIMES = 10_000;

/** thrown to an edge when a rule answers for it (a reply or a disconnect); a delay never throws. */
export class ScriptedFault extends Error {
  override readonly name = 'ScriptedFault';
  constructor(readonly rule: StoredFaultRule) {
    super(rule.action.kind === 'reply' ? rule.action.reply : 'disconnect');
  }
  /** the SMTP reply code of a `reply` rule (null for a disconnect). */
  get code(): number | null {
    return this.rule.action.kind === 'reply' ? Number(this.rule.action.reply.slice(0, 3)) : null;
  }
  /** the reply text after the code (smtp-server writes the code itself). */
  get text(): string {
    return this.rule.action.kind === 'reply' ? this.rule.action.reply.slice(4) : '';
  }
}

export function isScriptedFault(err: unknown): err is ScriptedFault {
  return err instanceof ScriptedFault;
}

// RFC 5321 §4.2: a 3-digit code, a space, text; RFC 3463: the enhanced code's class matches the reply's
const REPLY = /^([45])[0-9]{2} (?:([45])\.[0-9]{1,3}\.[0-9]{1,3} )?[\x20-\x7e]{1,400}$/;

const bad = (field: string, message: string) => new DomainError('invalid_input', `${field}: ${message}`, { field });

/**
 * checks a client's `{"rules": [...]}` body and turns it into rules.
 * @throws DomainError invalid_input, naming the field (`rules[1].reply`)
 */
export function parseFaultRules(body: unknown, maxDelayMs: number): FaultRule[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body', 'expected {"rules": [...]}');
  const extra = Object.keys(body).filter((k) => k !== 'rules');
  if (extra.length > 0) throw bad(extra[0]!, 'unknown field; the body is {"rules": [...]}');
  const rules = (body as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) throw bad('rules', 'expected an array of rules');
  if (rules.length > MAX_FAULT_RULES) throw bad('rules', `at most ${MAX_FAULT_RULES} rules`);
  return rules.map((r, i) => parseRule(r, `rules[${i}]`, maxDelayMs));
}

function parseRule(r: unknown, at: string, maxDelayMs: number): FaultRule {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(at, 'expected an object');
  const o = r as Record<string, unknown>;
  const known = ['stage', 'reply', 'delay_ms', 'disconnect', 'times'];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown) throw bad(`${at}.${unknown}`, `unknown field; a rule has ${known.join(', ')}`);
  if (o.stage !== 'rcpt' && o.stage !== 'data') throw bad(`${at}.stage`, 'expected "rcpt" or "data"');
  const given = ['reply', 'delay_ms', 'disconnect'].filter((k) => o[k] !== undefined);
  if (given.length !== 1) throw bad(at, 'give exactly one of reply, delay_ms, disconnect');
  let action: FaultAction;
  if (o.reply !== undefined) {
    const m = typeof o.reply === 'string' ? REPLY.exec(o.reply) : null;
    if (!m) throw bad(`${at}.reply`, 'expected a full SMTP reply with a 4xx or 5xx code, e.g. "451 4.3.0 Try again later"');
    if (m[2] !== undefined && m[2] !== m[1]) throw bad(`${at}.reply`, `the enhanced code's class (${m[2]}) differs from the reply code's (${m[1]})`);
    action = { kind: 'reply', reply: o.reply as string };
  } else if (o.delay_ms !== undefined) {
    const ms = o.delay_ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > maxDelayMs) throw bad(`${at}.delay_ms`, `expected an integer from 1 to ${maxDelayMs} (INBOXD_SMTP_FAULT_MAX_DELAY)`);
    action = { kind: 'delay', delayMs: ms };
  } else {
    if (o.disconnect !== true) throw bad(`${at}.disconnect`, 'expected true');
    action = { kind: 'disconnect' };
  }
  let times: number | null = null;
  if (o.times !== undefined && o.times !== null) {
    if (typeof o.times !== 'number' || !Number.isInteger(o.times) || o.times < 1 || o.times > MAX_FAULT_TIMES) throw bad(`${at}.times`, `expected an integer from 1 to ${MAX_FAULT_TIMES}, or leave it out (until deleted)`);
    times = o.times;
  }
  return { stage: o.stage, action, times };
}

function groupScope(principal: Principal, group: string): FaultScope {
  if (principal.kind === 'anonymous') throw new DomainError('unauthorized', 'an API key is required');
  if (principal.kind !== 'user') throw new DomainError('forbidden', "a group's fault script needs an API key");
  const label = group.trim();
  if (label === '' || label.length > 128) throw bad('group', 'expected 1-128 characters');
  return { kind: 'group', ownerId: principal.user.id, group: label };
}

/** the scopes that govern a mailbox: its own, then its group's (a group belongs to a key's owner). */
function scopesOf(mailbox: Mailbox): FaultScope[] {
  const own: FaultScope = { kind: 'mailbox', mailboxId: mailbox.id };
  return mailbox.group !== null && mailbox.ownerType !== 'anonymous' ? [own, { kind: 'group', ownerId: mailbox.ownerId, group: mailbox.group }] : [own];
}

/**
 * replaces a mailbox's script (counters start again at zero).
 * @throws DomainError invalid_input, and as openMailbox
 */
export async function setMailboxFaults(deps: CoreDeps, principal: Principal, address: string, body: unknown): Promise<{ mailbox: Mailbox; rules: StoredFaultRule[] }> {
  const mailbox = await openMailbox(deps, principal, address);
  const rules = parseFaultRules(body, deps.settings.faultMaxDelayMs ?? 60_000);
  return { mailbox, rules: await deps.store.setFaultRules({ kind: 'mailbox', mailboxId: mailbox.id }, rules, deps.clock.now()) };
}

/** @throws DomainError as openMailbox */
export async function getMailboxFaults(deps: CoreDeps, principal: Principal, address: string): Promise<{ mailbox: Mailbox; rules: StoredFaultRule[] }> {
  const mailbox = await openMailbox(deps, principal, address);
  return { mailbox, rules: await deps.store.listFaultRules({ kind: 'mailbox', mailboxId: mailbox.id }) };
}

/** @throws DomainError as openMailbox */
export async function clearMailboxFaults(deps: CoreDeps, principal: Principal, address: string): Promise<void> {
  const mailbox = await openMailbox(deps, principal, address);
  await deps.store.setFaultRules({ kind: 'mailbox', mailboxId: mailbox.id }, [], deps.clock.now());
}

/**
 * replaces the script of a key owner's group: it governs every mailbox of the owner carrying
 * that group label, created before or after, with one shared count.
 * @throws DomainError unauthorized | forbidden (a session token) | invalid_input
 */
export async function setGroupFaults(deps: CoreDeps, principal: Principal, group: string, body: unknown): Promise<StoredFaultRule[]> {
  const scope = groupScope(principal, group);
  return deps.store.setFaultRules(scope, parseFaultRules(body, deps.settings.faultMaxDelayMs ?? 60_000), deps.clock.now());
}

export async function getGroupFaults(deps: CoreDeps, principal: Principal, group: string): Promise<StoredFaultRule[]> {
  return deps.store.listFaultRules(groupScope(principal, group));
}

export async function clearGroupFaults(deps: CoreDeps, principal: Principal, group: string): Promise<void> {
  await deps.store.setFaultRules(groupScope(principal, group), [], deps.clock.now());
}

/**
 * consumes the rule that answers this attempt to `mailbox` at `stage`, if any: the mailbox's own
 * rules first, then its group's, each in order. Atomic in the store, so two nodes never both
 * spend the last use of a rule.
 * @param withDelays false where a tarpit means nothing (SES: the mail was accepted already); delay rules are then skipped, not spent.
 */
export function takeFault(deps: CoreDeps, mailbox: Mailbox, stage: FaultStage, withDelays = true): Promise<StoredFaultRule | null> {
  return deps.store.takeFaultRule(scopesOf(mailbox), stage, withDelays);
}

/** waits `ms` on the core clock (a ManualClock moves it in tests). */
export function tarpit(deps: Pick<CoreDeps, 'clock'>, ms: number): Promise<void> {
  return new Promise((resolve) => deps.clock.at(deps.clock.now() + ms, resolve));
}

/** one line for the timeline's `response` and the log. */
export function describeFault(rule: StoredFaultRule): string {
  const a = rule.action;
  return a.kind === 'reply' ? a.reply : a.kind === 'delay' ? `delayed ${a.delayMs} ms before the real answer (fault script)` : 'connection closed (fault script)';
}
