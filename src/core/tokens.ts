/**
 * Secrets: session tokens and API keys are 32 random bytes, shown once, stored and looked up only
 * as their SHA-256. API keys carry a visible prefix so a leaked one is recognisable in a scan and
 * so the auth layer can tell a key from a session token without a second lookup.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'ibx_';

/** SHA-256 hex of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** a new anonymous-mailbox session token (43 base64url chars). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** a new API key and the short prefix shown in listings. */
export function newApiKey(): { key: string; prefix: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6) };
}

export function isApiKey(secret: string): boolean {
  return secret.startsWith(API_KEY_PREFIX);
}
