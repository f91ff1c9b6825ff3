/**
 * Who is calling, and what they may touch. Edges turn headers into `Credentials`; this module
 * turns those into a `Principal` and decides access to a mailbox. A key reaches only its owner's
 * mailboxes; a session token only its own mailbox (DESIGN "HTTP API", Auth).
 */
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import { hashSecret, isApiKey } from './tokens.js';
import type { Mailbox, User } from './types.js';

export interface Credentials {
  /** an API key or a session token (Authorization: Bearer, or a query parameter on WebSocket). */
  bearer?: string | undefined;
  /** X-Session-Token */
  sessionToken?: string | undefined;
}

export type Principal =
  | { kind: 'user'; user: User; keyId: string }
  | { kind: 'session'; mailboxId: string }
  | { kind: 'anonymous' };

/**
 * resolves credentials; no credentials is the anonymous principal.
 * @throws DomainError unauthorized when a key or token is given but unknown or revoked.
 */
export async function authenticate(deps: CoreDeps, creds: Credentials): Promise<Principal> {
  const secret = creds.bearer ?? creds.sessionToken;
  if (!secret) return { kind: 'anonymous' };
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
  if (principal.kind === 'anonymous') throw new DomainError('unauthorized', 'an API key or the mailbox session token is required');
  const mailbox = await deps.store.getMailbox(address.trim().toLowerCase());
  if (!mailbox || mailbox.deletedAt !== null) throw new DomainError('mailbox_not_found', 'mailbox not found');
  if (!mayAccess(principal, mailbox)) throw new DomainError('forbidden', 'this mailbox belongs to someone else');
  if (!mailbox.active || mailbox.expiresAt <= deps.clock.now()) {
    throw new DomainError('mailbox_expired', 'mailbox expired', { expires_at: new Date(mailbox.expiresAt).toISOString() });
  }
  return mailbox;
}
