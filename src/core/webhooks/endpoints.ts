/**
 * Webhook endpoints as their owner manages them (#15): create (the signing secret is returned
 * once), list, read, change, delete, their attempts, a test event, and a replay of stored
 * events. Only API keys manage endpoints; an endpoint reaches only its owner's mailboxes.
 * Not here: sending (dispatcher.ts) or the HTTP client and address checks (src/webhooks/).
 */
import { randomBytes } from 'node:crypto';
import { openMailbox, type Principal } from '../auth.js';
import { parseAddress } from '../addresses.js';
import type { CoreDeps } from '../context.js';
import { DomainError } from '../errors.js';
import { newMessageEvent, webhookTestEvent } from '../events.js';
import { newId } from '../ids.js';
import type { User } from '../types.js';
import { WEBHOOK_EVENTS, type Webhook, type WebhookAttempt, type WebhookChanges, type WebhookEventType } from './types.js';

/** endpoints one user may hold. */
const MAX_WEBHOOKS_PER_USER = 50;
const MAX_URL_LENGTH = 2048;
/** stored messages read per page while replaying. */
const REPLAY_PAGE = 200;

/** checks that a target may be called (http(s), resolved address); the edge gives it (src/webhooks/targets.ts). */
export type TargetCheck = (url: URL) => Promise<void>;

export interface WebhookInput {
  url?: string | undefined;
  events?: string[] | undefined;
  mailbox?: string | null | undefined;
  group?: string | null | undefined;
  include_message?: boolean | undefined;
  enabled?: boolean | undefined;
}

function owner(principal: Principal): User {
  if (principal.kind === 'user') return principal.user;
  if (principal.kind === 'session') throw new DomainError('forbidden', 'managing webhooks needs an API key, not a session token');
  throw new DomainError('unauthorized', 'managing webhooks needs an API key');
}

/** a new signing secret: `whsec_` + base64 of 32 random bytes, the Standard Webhooks form. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function checkUrl(raw: string, checkTarget: TargetCheck): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('invalid_input', 'url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('invalid_input', 'url must use http or https');
  if (raw.length > MAX_URL_LENGTH) throw new DomainError('invalid_input', `url must be at most ${MAX_URL_LENGTH} characters`);
  // credentials in a URL would be shown in every listing and log line
  if (url.username || url.password) throw new DomainError('invalid_input', 'url must not carry a user name or password');
  await checkTarget(url);
  return url.toString();
}

function checkEvents(events: string[] | undefined): WebhookEventType[] {
  if (events === undefined) return ['new_message'];
  const known = new Set<string>(WEBHOOK_EVENTS);
  const bad = events.filter((e) => !known.has(e));
  if (bad.length > 0 || events.length === 0) throw new DomainError('invalid_input', `events must be a non-empty list of: ${WEBHOOK_EVENTS.join(', ')}`);
  return [...new Set(events)] as WebhookEventType[];
}

function checkMailbox(address: string | null | undefined): string | null {
  if (address === undefined || address === null) return null;
  try {
    const p = parseAddress(address);
    return `${p.tag !== null ? `${p.localPart}+${p.tag}` : p.localPart}@${p.domain}`;
  } catch {
    throw new DomainError('invalid_input', 'mailbox must be an email address');
  }
}

function checkGroup(group: string | null | undefined): string | null {
  if (group === undefined || group === null) return null;
  if (group.length === 0 || group.length > 100) throw new DomainError('invalid_input', 'group must be 1 to 100 characters');
  return group;
}

/** the caller's endpoint `id`. @throws DomainError not_found (no such endpoint of this user) */
async function ownWebhook(deps: CoreDeps, user: User, id: string): Promise<Webhook> {
  const w = await deps.store.getWebhook(id);
  if (!w || w.ownerId !== user.id) throw new DomainError('not_found', 'no such webhook');
  return w;
}

/**
 * a new endpoint; its `secret` is in the returned object, shown to the caller this once.
 * @throws DomainError unauthorized | forbidden | invalid_input (url, target, events, mailbox, group) | quota_exceeded
 */
export async function createWebhook(deps: CoreDeps, principal: Principal, input: WebhookInput, checkTarget: TargetCheck): Promise<Webhook> {
  const user = owner(principal);
  if (input.url === undefined) throw new DomainError('invalid_input', 'url is required');
  const url = await checkUrl(input.url, checkTarget);
  if ((await deps.store.listWebhooks(user.id)).length >= MAX_WEBHOOKS_PER_USER) {
    throw new DomainError('quota_exceeded', `a user holds at most ${MAX_WEBHOOKS_PER_USER} webhooks`);
  }
  const now = deps.clock.now();
  return deps.store.createWebhook({
    id: `wh_${newId(now)}`,
    ownerId: user.id,
    url,
    secret: newWebhookSecret(),
    events: checkEvents(input.events),
    mailbox: checkMailbox(input.mailbox),
    group: checkGroup(input.group),
    includeMessage: input.include_message ?? false,
    enabled: input.enabled ?? true,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
    lastSuccessAt: null,
  });
}

/** the caller's endpoints, oldest first. @throws DomainError unauthorized | forbidden */
export async function listWebhooks(deps: CoreDeps, principal: Principal): Promise<Webhook[]> {
  return deps.store.listWebhooks(owner(principal).id);
}

/** @throws DomainError unauthorized | forbidden | not_found */
export async function getWebhook(deps: CoreDeps, principal: Principal, id: string): Promise<Webhook> {
  return ownWebhook(deps, owner(principal), id);
}

/**
 * changes an endpoint; enabling it again clears the reason it was disabled, and its queued
 * events are sent then.
 * @throws DomainError unauthorized | forbidden | not_found | invalid_input
 */
export async function updateWebhook(deps: CoreDeps, principal: Principal, id: string, input: WebhookInput, checkTarget: TargetCheck): Promise<Webhook> {
  const w = await ownWebhook(deps, owner(principal), id);
  const changes: WebhookChanges = {};
  if (input.url !== undefined) changes.url = await checkUrl(input.url, checkTarget);
  if (input.events !== undefined) changes.events = checkEvents(input.events);
  if (input.mailbox !== undefined) changes.mailbox = checkMailbox(input.mailbox);
  if (input.group !== undefined) changes.group = checkGroup(input.group);
  if (input.include_message !== undefined) changes.includeMessage = input.include_message;
  if (input.enabled !== undefined) {
    changes.enabled = input.enabled;
    changes.disabledReason = input.enabled ? null : 'disabled by its owner';
  }
  const updated = await deps.store.updateWebhook(w.id, changes, deps.clock.now());
  if (!updated) throw new DomainError('not_found', 'no such webhook');
  if (updated.enabled) deps.outbox?.ring();
  return updated;
}

/** deletes an endpoint with its queue and attempts. @throws DomainError unauthorized | forbidden | not_found */
export async function deleteWebhook(deps: CoreDeps, principal: Principal, id: string): Promise<Webhook> {
  const w = await ownWebhook(deps, owner(principal), id);
  await deps.store.deleteWebhook(w.id);
  return w;
}

/** an endpoint's attempts, newest first. @throws DomainError unauthorized | forbidden | not_found */
export async function listWebhookAttempts(deps: CoreDeps, principal: Principal, id: string, limit: number, offset = 0): Promise<WebhookAttempt[]> {
  const w = await ownWebhook(deps, owner(principal), id);
  return deps.store.listWebhookAttempts(w.id, limit, offset);
}

/**
 * queues a `webhook_test` event for the endpoint (a disabled endpoint gets it once enabled
 * again); returns its event id (the webhook-id header), whose attempts then show the outcome.
 * @throws DomainError unauthorized | forbidden | not_found
 */
export async function testWebhook(deps: CoreDeps, principal: Principal, id: string): Promise<{ eventId: string }> {
  const w = await ownWebhook(deps, owner(principal), id);
  const now = deps.clock.now();
  const eventId = `msg_${newId(now)}`;
  await deps.store.enqueueWebhookEvents(
    [{ id: eventId, webhookId: w.id, eventType: 'webhook_test', mailboxId: null, messageId: null, seq: null, eventJson: JSON.stringify(webhookTestEvent(w.id, now)), createdAt: now }],
    now,
  );
  deps.outbox?.ring();
  return { eventId };
}

/**
 * sends again, to this endpoint, the new_message events of the stored messages of one of the
 * caller's mailboxes after `sinceSeq`, in seq order. An event sent before keeps its webhook-id.
 * @returns how many events were queued
 * @throws DomainError unauthorized | forbidden | not_found | mailbox_not_found | mailbox_expired | invalid_input
 */
export async function replayWebhook(deps: CoreDeps, principal: Principal, id: string, input: { mailbox: string; since_seq?: number | undefined }): Promise<{ queued: number }> {
  const w = await ownWebhook(deps, owner(principal), id);
  const since = input.since_seq ?? 0;
  if (!Number.isInteger(since) || since < 0) throw new DomainError('invalid_input', 'since_seq must be a non-negative integer');
  const mailbox = await openMailbox(deps, principal, input.mailbox);
  let after = since;
  let queued = 0;
  for (;;) {
    const page = await deps.store.listMessages(mailbox.id, { afterSeq: after, order: 'asc', limit: REPLAY_PAGE });
    if (page.length === 0) break;
    const now = deps.clock.now();
    await deps.store.enqueueWebhookEvents(
      page.map((m) => ({
        id: `msg_${newId(now)}`,
        webhookId: w.id,
        eventType: 'new_message',
        mailboxId: mailbox.id,
        messageId: m.id,
        seq: m.seq,
        eventJson: JSON.stringify(newMessageEvent(mailbox.address, m)),
        createdAt: now,
      })),
      now,
    );
    queued += page.length;
    after = page[page.length - 1]!.seq;
    if (page.length < REPLAY_PAGE) break;
  }
  if (queued > 0) deps.outbox?.ring();
  return { queued };
}
