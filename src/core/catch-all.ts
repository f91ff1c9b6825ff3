/**
 * Catch-all: a recipient with no live mailbox gets one on first delivery (DESIGN "Delivery
 * rules" 5, issue #13.1), as Mailpit and MailDev users expect. Caught mailboxes carry the group
 * label `catch-all`, so "All mail" lists them with the ordinary group query. Who owns one: the
 * SMTP session's key owner, else the configured catch-all owner, else nobody (then, in
 * development only, loopback clients read it without credentials: `Principal` kind `local`).
 * Not here: the RCPT decision itself (delivery.ts) or access checks (auth.ts).
 */
import { isOurDomain, isReservedLocalPart, parseAddress, type ParsedAddress } from './addresses.js';
import type { Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError, isDomainError } from './errors.js';
import type { EventHandler, NewMessageEvent } from './events.js';
import { clampTtlMinutes } from './quota.js';
import type { Mailbox, User } from './types.js';

/** the group label every caught mailbox carries. */
export const CATCH_ALL_GROUP = 'catch-all';
/** owner id of caught mailboxes nobody owns (anonymous ids are `anon:<client>`, so no clash). */
export const UNOWNED_CATCH_ALL = 'catch-all';

export interface CatchAllSettings {
  mode: 'off' | 'domains' | 'any';
  /** email of the user who owns what unauthenticated sessions catch; null = nobody. */
  ownerEmail: string | null;
  ttlMinutes: number;
  /** development without an owner: loopback clients read unowned caught mailboxes. */
  openToLoopback: boolean;
}

/** true when catch-all would create a mailbox for an address at this domain. */
export function catches(settings: CatchAllSettings, domain: string, ourDomains: readonly string[]): boolean {
  if (settings.mode === 'off') return false;
  return settings.mode === 'any' || isOurDomain(domain, ourDomains);
}

/**
 * true for our domains' role addresses (postmaster@, abuse@…), which the API refuses to create
 * (address_reserved): catching one would hand the same address to whoever sends first or waits
 * on it. At other domains (`any` mode) they are the app under test's own addresses, not ours to
 * protect, and are caught like any other.
 */
function reservedHere(parsed: ParsedAddress, ourDomains: readonly string[]): boolean {
  return isOurDomain(parsed.domain, ourDomains) && isReservedLocalPart(parsed.localPart);
}

/** true for a caught mailbox nobody owns. */
export function isUnownedCatch(mailbox: Mailbox): boolean {
  return mailbox.ownerType === 'anonymous' && mailbox.ownerId === UNOWNED_CATCH_ALL;
}

/**
 * the owner of what an unauthenticated session catches: the configured user, created on the
 * `pro` plan (or the anonymous plan when there is none) the first time it is needed.
 */
async function configuredOwner(deps: CoreDeps): Promise<User | null> {
  const email = deps.settings.catchAll.ownerEmail;
  if (!email) return null;
  const found = await deps.store.getUserByEmail(email);
  if (found) return found;
  const plan = (await deps.store.getPlan('pro')) ? 'pro' : deps.settings.anonymousPlan;
  try {
    const user = await deps.store.createUser({ email, plan });
    deps.log.info({ component: 'catch-all', email, plan }, 'created the catch-all owner');
    return user;
  } catch (err) {
    // another node created it at the same moment
    if (isDomainError(err, 'already_exists')) return deps.store.getUserByEmail(email);
    throw err;
  }
}

/**
 * creates the caught mailbox for `parsed`, or finds the one a concurrent delivery just created.
 * Null when catch-all does not apply: off, a foreign domain in `domains` mode, a reserved local
 * part at our domains, or an address still quarantined for another owner (mail meant for them never reaches a new owner).
 * @param sessionUser the SMTP session's key owner, when it authenticated with an API key.
 * @throws DomainError quota_exceeded (the owner's plan holds its mailbox cap) | storage_unavailable
 */
export async function catchMailbox(deps: CoreDeps, parsed: ParsedAddress, sessionUser: User | null): Promise<Mailbox | null> {
  const settings = deps.settings.catchAll;
  if (!catches(settings, parsed.domain, deps.settings.domains)) return null;
  if (reservedHere(parsed, deps.settings.domains)) return null;
  const owner = sessionUser ?? (await configuredOwner(deps));
  const planName = owner ? owner.plan : deps.settings.anonymousPlan;
  const plan = await deps.store.getPlan(planName);
  if (!plan) throw new DomainError('storage_unavailable', `plan ${planName} is missing`);
  const now = deps.clock.now();
  const ttl = clampTtlMinutes(settings.ttlMinutes, plan, deps.settings);
  try {
    return await deps.store.createMailbox(
      {
        address: parsed.address,
        domain: parsed.domain,
        ownerType: owner ? 'api' : 'anonymous',
        ownerId: owner ? owner.id : UNOWNED_CATCH_ALL,
        tokenHash: null,
        plan: plan.name,
        group: CATCH_ALL_GROUP,
        expiresAt: now + ttl * 60_000,
      },
      // unowned catches answer to no plan cap: the loopback-only development mode they exist in
      { now, maxMailboxes: owner ? plan.maxMailboxes : -1, quarantineMs: deps.settings.quarantineMs },
    );
  } catch (err) {
    if (!isDomainError(err, 'address_taken')) throw err;
    const raced = await deps.store.getMailbox(parsed.address);
    return raced && raced.active && raced.deletedAt === null && raced.expiresAt > now ? raced : null;
  }
}

/**
 * makes the caught mailbox exist before its first message when a reader waits on it (`inboxd
 * wait ADDRESS` on an address nothing has been sent to yet): exactly the mailbox the first
 * delivery would create, owned by the waiting key's owner (or, in development without an
 * owner, nobody, for a loopback reader). Anyone else, or an address catch-all does not cover,
 * is left to the usual answers of openMailbox.
 * @throws DomainError quota_exceeded | storage_unavailable
 */
export async function catchForReader(deps: CoreDeps, principal: Principal, address: string): Promise<void> {
  const settings = deps.settings.catchAll;
  if (settings.mode === 'off') return;
  const owner = principal.kind === 'user' ? principal.user : null;
  const unowned = principal.kind === 'anonymous' && principal.local === true && settings.openToLoopback;
  if (!owner && !unowned) return;
  let parsed: ParsedAddress;
  try {
    parsed = parseAddress(address);
  } catch {
    return;
  }
  // a +tag names no mailbox of its own: reading name+tag@ is a 404 as before
  if (parsed.tag !== null) return;
  const existing = await deps.store.getMailbox(parsed.address);
  if (existing && existing.deletedAt === null && existing.active && existing.expiresAt > deps.clock.now()) return;
  await catchMailbox(deps, parsed, owner);
}

/**
 * the bus channel of an owner's caught mail ("All mail"): one stream for every caught mailbox,
 * including ones created after the reader connected. Not an address (it starts with `@`), so it
 * never meets a mailbox's own channel.
 */
export function catchAllChannel(ownerId: string): string {
  return `@catch-all:${ownerId}`;
}

/** also tells the owner's "All mail" stream about a message in a caught mailbox; a bus failure is only logged. */
export async function announceCaught(deps: CoreDeps, mailbox: Mailbox, event: NewMessageEvent): Promise<void> {
  if (mailbox.group !== CATCH_ALL_GROUP) return;
  try {
    await deps.bus.publish(catchAllChannel(mailbox.ownerId), event);
  } catch (err) {
    deps.metrics.inc('inboxd_bus_publish_failures_total');
    deps.log.warn({ component: 'bus', err, address: mailbox.address }, 'catch-all publish failed after commit');
  }
}

/**
 * the "All mail" channel a principal may follow: its own caught mail with a key, the unowned
 * catches for a loopback reader in development. Checked before anything is sent, so a refusal
 * is still an HTTP status.
 * @throws DomainError unauthorized
 */
export function caughtMailFor(deps: CoreDeps, principal: Principal): { follow(handler: EventHandler): Promise<() => void> } {
  let channel: string;
  if (principal.kind === 'user') channel = catchAllChannel(principal.user.id);
  else if (principal.kind === 'anonymous' && principal.local === true && deps.settings.catchAll.openToLoopback) channel = catchAllChannel(UNOWNED_CATCH_ALL);
  else throw new DomainError('unauthorized', 'an API key is required to follow caught mail');
  return { follow: (handler) => deps.bus.subscribe(channel, handler) };
}
