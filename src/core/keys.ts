/**
 * API keys as their owner manages them: list, create (the key itself is returned once; only its
 * SHA-256 is stored), revoke. A revocation takes effect at once for new requests (the store stops
 * finding the key) and is announced on the bus's control channel so every node closes the
 * streams and MCP sessions the key opened; `watchKey` is how those listen, with a periodic
 * re-check for what the bus cannot carry (a revocation made while Redis was down, or by
 * `inboxd admin` on the embedded pair, which shares no bus with the server).
 */
import type { Principal } from './auth.js';
import type { CoreDeps } from './context.js';
import { DomainError } from './errors.js';
import { keyRevokedEvent } from './events.js';
import { hashSecret, newApiKey } from './tokens.js';
import type { ApiKey, User } from './types.js';

/** keys one user may hold, revoked ones included (they stay listed). */
const MAX_KEYS_PER_USER = 100;

function owner(principal: Principal): User {
  if (principal.kind === 'user') return principal.user;
  if (principal.kind === 'session') throw new DomainError('forbidden', 'managing API keys needs an API key, not a session token');
  throw new DomainError('unauthorized', 'managing API keys needs an API key');
}

/**
 * the caller's keys, oldest first (never a key or its hash).
 * @throws DomainError unauthorized | forbidden (a session token)
 */
export async function listKeys(deps: CoreDeps, principal: Principal): Promise<ApiKey[]> {
  return deps.store.listApiKeys(owner(principal).id);
}

/**
 * a new key for the caller's user; `secret` is the key itself, shown this once.
 * @throws DomainError unauthorized | forbidden | invalid_input (bad name) | quota_exceeded (too many keys)
 */
export async function createKey(deps: CoreDeps, principal: Principal, name: string | undefined): Promise<{ key: ApiKey; secret: string }> {
  const user = owner(principal);
  const label = (name ?? 'default').trim();
  // eslint-disable-next-line no-control-regex
  if (label.length === 0 || label.length > 100 || /[\u0000-\u001f\u007f]/.test(label)) throw new DomainError('invalid_input', 'name must be 1 to 100 printable characters');
  if ((await deps.store.listApiKeys(user.id)).length >= MAX_KEYS_PER_USER) {
    throw new DomainError('quota_exceeded', `a user holds at most ${MAX_KEYS_PER_USER} keys (revoked ones count); ask an operator`);
  }
  const { key: secret, prefix } = newApiKey();
  const key = await deps.store.createApiKey({ userId: user.id, name: label, keyHash: hashSecret(secret), prefix });
  return { key, secret };
}

/**
 * revokes one of the caller's keys (the calling key included) and tells every node.
 * @throws DomainError unauthorized | forbidden | not_found (no such key of this user)
 */
export async function revokeKey(deps: CoreDeps, principal: Principal, id: string): Promise<ApiKey> {
  const key = await deps.store.revokeApiKey(id, owner(principal).id);
  if (!key) throw new DomainError('not_found', 'no such API key');
  await announceRevocation(deps, key.id);
  return key;
}

/** tells every node that `keyId` is revoked; a bus failure is logged (streams re-check on their own). */
export async function announceRevocation(deps: Pick<CoreDeps, 'bus' | 'log'>, keyId: string): Promise<void> {
  try {
    await deps.bus.publishControl(keyRevokedEvent(keyId));
  } catch (err) {
    deps.log.warn({ component: 'keys', err, keyId }, 'key revocation not announced on the bus; open streams close at their next re-check');
  }
}

/** listens for every revocation announced on any node (MCP sessions close theirs); returns the stop function. */
export function onKeyRevoked(deps: Pick<CoreDeps, 'bus'>, handler: (keyId: string) => void): Promise<() => void> {
  return deps.bus.subscribeControl((ev) => {
    if (ev.event === 'key_revoked') handler(ev.key_id);
  });
}

/** true while the key and its user are active. */
export function isKeyActive(deps: Pick<CoreDeps, 'store'>, keyId: string): Promise<boolean> {
  return deps.store.apiKeyActive(keyId);
}

/**
 * calls `onRevoked` once when `keyId` is revoked: at once when announced on the bus, else at the
 * next re-check (every `recheckMs`). Resolves once listening; the function it returns stops it.
 */
export async function watchKey(deps: Pick<CoreDeps, 'bus' | 'store' | 'log'>, keyId: string, onRevoked: () => void, recheckMs: number): Promise<() => void> {
  let done = false;
  const fire = () => {
    if (done) return;
    stop();
    onRevoked();
  };
  const unsubscribe = await onKeyRevoked(deps, (id) => id === keyId && fire());
  const timer = setInterval(() => {
    isKeyActive(deps, keyId).then(
      (active) => active || fire(),
      // the store being unreachable is not a revocation
      (err: unknown) => deps.log.debug({ component: 'keys', err }, 'key re-check failed'),
    );
  }, recheckMs);
  timer.unref();
  function stop() {
    done = true;
    clearInterval(timer);
    unsubscribe();
  }
  return () => {
    if (!done) stop();
  };
}
