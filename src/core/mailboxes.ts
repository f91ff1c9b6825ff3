/**
 * Mailbox rules: create (plan cap, TTL clamp, generated or chosen address), list, extend, delete.
 * Storage-level atomicity (cap under concurrency, address uniqueness) is the store's job.
 */
import { checkLocalPart, isOurDomain, isReservedLocalPart, parseAddress } from './addresses.js';
import { openMailbox, type Principal } from './auth.js';
import { UNOWNED_CATCH_ALL } from './catch-all.js';
import type { CoreDeps } from './context.js';
import { DomainError, isDomainError } from './errors.js';
import { mailboxDeletedEvent, publishQuietly } from './events.js';
import { randomLocalPart } from './names.js';
import { clampTtlMinutes } from './quota.js';
import { hashSecret, newSessionToken } from './tokens.js';
import type { Mailbox, OwnerType, Plan } from './types.js';
import { type Page, slicePage } from './paging.js';

export interface CreateMailboxInput {
  ttlMinutes?: number | undefined;
  /** a whole address on one of our domains (API-key owners only). */
  address?: string | undefined;
  localPart?: string | undefined;
  domain?: string | undefined;
  group?: string | undefined;
}

export interface CreatedMailbox {
  mailbox: Mailbox;
  /** shown once, for anonymous mailboxes only. */
  sessionToken: string | null;
}

/** generated addresses retry on a collision this many times before answering address_unavailable. */
const GENERATE_ATTEMPTS = 8;

/** the plan that governs mailboxes the principal creates. */
export async function planFor(deps: CoreDeps, principal: Principal): Promise<Plan> {
  const name = principal.kind === 'user' ? principal.user.plan : deps.settings.anonymousPlan;
  const plan = await deps.store.getPlan(name);
  if (!plan) throw new DomainError('storage_unavailable', `plan ${name} is missing`);
  return plan;
}

/**
 * creates a mailbox. Anonymous callers (and session-token holders) get an anonymous mailbox with
 * a session token, capped per client address; API-key owners may choose the address.
 * @param clientKey the caller's address key (IPv6 reduced to its /64), for the anonymous cap.
 * @throws DomainError invalid_input | forbidden | address_reserved | quota_exceeded | address_taken | address_unavailable
 */
export async function createMailbox(
  deps: CoreDeps,
  principal: Principal,
  input: CreateMailboxInput,
  clientKey: string,
  ownerType: Exclude<OwnerType, 'anonymous'> = 'api',
): Promise<CreatedMailbox> {
  const plan = await planFor(deps, principal);
  const now = deps.clock.now();
  const ttl = clampTtlMinutes(input.ttlMinutes, plan, deps.settings);
  const isUser = principal.kind === 'user';

  let chosen: { localPart: string; domain: string } | null = null;
  if (input.address !== undefined) {
    const parsed = parseAddress(input.address);
    if (parsed.tag !== null) throw new DomainError('invalid_input', 'an address may not contain a +tag');
    chosen = { localPart: parsed.localPart, domain: parsed.domain };
  } else if (input.localPart !== undefined) {
    chosen = { localPart: checkLocalPart(input.localPart), domain: (input.domain ?? deps.settings.domains[0]!).toLowerCase() };
  }
  const domain = (chosen?.domain ?? input.domain ?? deps.settings.domains[0]!).toLowerCase();
  if (!isOurDomain(domain, deps.settings.domains)) {
    throw new DomainError('invalid_input', `domain must be one of: ${deps.settings.domains.join(', ')}`);
  }
  if (chosen && !isUser) throw new DomainError('forbidden', 'choosing an address needs an API key');
  if (chosen && isReservedLocalPart(chosen.localPart)) {
    throw new DomainError('address_reserved', `${chosen.localPart}@ is reserved for the domain's operators; choose another local part`);
  }
  const group = input.group?.trim() || null;
  if (group !== null && group.length > 128) throw new DomainError('invalid_input', 'group is at most 128 characters');

  const sessionToken = isUser ? null : newSessionToken();
  const base = {
    domain,
    ownerType: isUser ? ownerType : ('anonymous' as const),
    ownerId: isUser ? principal.user.id : `anon:${clientKey}`,
    tokenHash: sessionToken ? hashSecret(sessionToken) : null,
    plan: plan.name,
    group,
    expiresAt: now + ttl * 60_000,
  };
  // a test suite on a laptop creates one anonymous mailbox per test from loopback: no cap there
  // when the deployment says so (the development default); every other client keeps the plan's
  const uncapped = !isUser && principal.kind === 'anonymous' && principal.local === true && deps.settings.anonymousLoopbackUncapped;
  const rules = { now, maxMailboxes: uncapped ? -1 : plan.maxMailboxes, quarantineMs: deps.settings.quarantineMs };

  try {
    if (chosen) {
      const mailbox = await deps.store.createMailbox({ ...base, address: `${chosen.localPart}@${domain}` }, rules);
      return { mailbox, sessionToken };
    }
    for (let attempt = 0; attempt < GENERATE_ATTEMPTS; attempt++) {
      try {
        const mailbox = await deps.store.createMailbox({ ...base, address: `${randomLocalPart()}@${domain}` }, rules);
        return { mailbox, sessionToken };
      } catch (err) {
        if (!isDomainError(err, 'address_taken')) throw err;
      }
    }
  } catch (err) {
    if (isDomainError(err, 'quota_exceeded')) throw withCapHint(err, isUser, plan);
    throw err;
  }
  throw new DomainError('address_unavailable', 'could not find a free address; try again');
}

/** a 429 that says what to do about the active-mailbox cap (issue #13.5). */
function withCapHint(err: DomainError, isUser: boolean, plan: Plan): DomainError {
  const ways = isUser
    ? `delete mailboxes you no longer need (DELETE /api/v1/mailboxes/{address}, or by group), or raise the plan's cap (inboxd admin plans update --name ${plan.name} --max-mailboxes N)`
    : `delete mailboxes you no longer need (DELETE /api/v1/mailboxes/{address} with their session token), wait for them to expire, or create them with an API key (a user plan with a higher cap: inboxd admin users create, inboxd admin keys create)`;
  return new DomainError('quota_exceeded', `${err.message}: ${ways}`, { ...err.details, plan: plan.name });
}

/** the caller's live mailboxes: all of a key's owner, or the session token's own one. */
export async function listMailboxes(deps: CoreDeps, principal: Principal, group?: string, page: Page = {}): Promise<Mailbox[]> {
  return slicePage(await listAllMailboxes(deps, principal, group), page);
}

async function listAllMailboxes(deps: CoreDeps, principal: Principal, group: string | undefined): Promise<Mailbox[]> {
  const now = deps.clock.now();
  if (principal.kind === 'anonymous' && principal.local === true && deps.settings.catchAll.openToLoopback) {
    return deps.store.listMailboxes({ ownerType: ['anonymous'], ownerId: UNOWNED_CATCH_ALL }, now, group);
  }
  if (principal.kind === 'anonymous') throw new DomainError('unauthorized', 'an API key or a session token is required');
  if (principal.kind === 'session') {
    const m = await deps.store.getMailboxById(principal.mailboxId);
    return m && m.active && m.deletedAt === null && m.expiresAt > now && (group === undefined || m.group === group) ? [m] : [];
  }
  return deps.store.listMailboxes({ ownerType: ['api', 'mcp'], ownerId: principal.user.id }, now, group);
}

/**
 * sets the mailbox to expire `ttlMinutes` from now, clamped by its plan.
 * @throws DomainError as openMailbox, and invalid_input
 */
export async function extendMailbox(deps: CoreDeps, principal: Principal, address: string, ttlMinutes: number | undefined): Promise<Mailbox> {
  const mailbox = await openMailbox(deps, principal, address);
  const plan = await deps.store.getPlan(mailbox.plan);
  if (!plan) throw new DomainError('storage_unavailable', `plan ${mailbox.plan} is missing`);
  const ttl = clampTtlMinutes(ttlMinutes, plan, deps.settings);
  return deps.store.setMailboxExpiry(mailbox.id, deps.clock.now() + ttl * 60_000);
}

/** soft-deletes the mailbox and tells its listeners. */
export async function deleteMailbox(deps: CoreDeps, principal: Principal, address: string): Promise<void> {
  const mailbox = await openMailbox(deps, principal, address);
  await deps.store.deleteMailbox(mailbox.id, deps.clock.now());
  await publishQuietly(deps, mailboxDeletedEvent(mailbox.address));
}

/**
 * deletes every live mailbox of the key owner that carries the group label; returns their addresses.
 * @throws DomainError unauthorized | forbidden (a session token cannot tear down a group)
 */
export async function deleteGroup(deps: CoreDeps, principal: Principal, group: string): Promise<string[]> {
  if (principal.kind === 'anonymous') throw new DomainError('unauthorized', 'an API key is required');
  if (principal.kind !== 'user') throw new DomainError('forbidden', 'deleting a group needs an API key');
  const boxes = await deps.store.listMailboxes({ ownerType: ['api', 'mcp'], ownerId: principal.user.id }, deps.clock.now(), group);
  const now = deps.clock.now();
  for (const m of boxes) {
    await deps.store.deleteMailbox(m.id, now);
    await publishQuietly(deps, mailboxDeletedEvent(m.address));
  }
  return boxes.map((m) => m.address);
}
