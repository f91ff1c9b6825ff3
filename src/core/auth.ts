/**
 * Who is calling, and what they may touch. Edges turn headers into `Credentials`; this module
 * turns those into a `Principal` and decides access to a mailbox. A key reaches only its owner's
 * mailboxes; a session token only its own mailbox (DESIGN "HTTP API", Auth).
 */
import type { CoreDeps } from './context.js';
import { parseAddress } from './addresses.js';
import { isUnownedCatch } from './catch-all.js';
import { DomainError } from './errors.js';
import { hashSecret, isApiKey } from './tokens.js';
import type { Mailbox, User } from './types.js';

export interface Credentials {
  /** an API key or a session token (Authorization: Bearer, or a query parameter on WebSocket). */
  bearer?: string | undefined;
  /** X-Session-Token */
  sessionToken?: string | undefined;
  /** the request came from this host (loopback), as the edge saw it through trusted proxies. */
  loopback?: boolean | undefined;
}

export type Principal =
  | { kind: 'user'; user: User; keyId: string }
  | { kind: 'session'; mailboxId: string }
  /** `local`: a loopback client (laptop rules: unowned caught mailboxes in development, no anonymous cap). */
  | { kind: 'anonymous'; local?: boolean };

/**
 * resolves credentials; no credentials is the anonymous principal.
 * @throws DomainError unauthorized when a key or token is given but unknown or revoked.
 */
export async function authenticate(deps: CoreDeps, creds: Credentials): Promise<Principal> {
  const secret = creds.bearer ?? creds.sessionToken;
  if (!secret) return { kind: 'anonymous', local: creds.loopback === true };
  const hash = hashSecret(secret);
  if (isApiKey(secret)) {
    const found = await deps.store.findApiKey(hash, deps.clock.now());
    if (!found) throw new DomainError('unauthorized', 'invalid API key');
    return { kind: 'user', user: found.user, keyId: found.key.id };
  }
  const mailbox = await deps.store.getMailboxByTokenHash(hash);
  if (!mailbox) throw new DomainError('unauthorized', 'invalid session token');
  return { kind: 'session', mailboxId: mailbox.id };
}

/** the stored form of an address a client names: NFC, lower-case, IDN domain in ASCII. */
function normalizeLookup(address: string): string {
  try {
    const p = parseAddress(address);
    // a +tag in a path names the tagged address itself, never the base mailbox
    return `${p.tag !== null ? `${p.localPart}+${p.tag}` : p.localPart}@${p.domain}`;
  } catch {
    return address.trim().toLowerCase();
  }
}

/**
 * the owner of an active API key, or null for anything else (SMTP AUTH in keys mode, where a
 * wrong password is an answer, not an exception).
 */
export async function userForApiKey(deps: CoreDeps, secret: string): Promise<User | null> {
  if (!isApiKey(secret)) return null;
  const found = await deps.store.findApiKey(hashSecret(secret), deps.clock.now());
  return found ? found.user : null;
}

/** true when the principal may act on the mailbox (ownership only; state is checked apart). */
export function mayAccess(principal: Principal, mailbox: Mailbox): boolean {
  if (principal.kind === 'user') return mailbox.ownerType !== 'anonymous' && mailbox.ownerId === principal.user.id;
  if (principal.kind === 'session') return mailbox.id === principal.mailboxId;
  return false;
}

/**
 * the mailbox at `address`, if the principal may use it now. The order of checks is the order of
 * statuses a client needs to act on: 401, then 404, then 403, then 410.
 * @throws DomainError unauthorized | mailbox_not_found | forbidden | mailbox_expired
 */
export async function openMailbox(deps: CoreDeps, principal: Principal, address: string): Promise<Mailbox> {
  const readsUnowned = principal.kind === 'anonymous' && principal.local === true && deps.settings.catchAll.openToLoopback;
  if (principal.kind === 'anonymous' && !readsUnowned) throw new DomainError('unauthorized', 'an API key or the mailbox session token is required');
  const mailbox = await deps.store.getMailbox(normalizeLookup(address));
  if (readsUnowned && !(mailbox && isUnownedCatch(mailbox))) throw new DomainError('unauthorized', 'an API key or the mailbox session token is required');
  if (!mailbox || mailbox.deletedAt !== null) throw new DomainError('mailbox_not_found', 'mailbox not found');
  if (!readsUnowned && !mayAccess(principal, mailbox)) throw new DomainError('forbidden', 'this mailbox belongs to someone else');
  if (!mailbox.active || mailbox.expiresAt <= deps.clock.now()) {
    throw new DomainError('mailbox_expired', 'mailbox expired', { expires_at: new Date(mailbox.expiresAt).toISOString() });
  }
  return mailbox;
}
