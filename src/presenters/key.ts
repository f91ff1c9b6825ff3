/**
 * ApiKey → public JSON, for GET/POST /api/v1/keys and the CLI. Never the key's hash; the key
 * itself only in the answer that created it.
 */
import type { ApiKey } from '../core/types.js';

export interface ApiKeyJson {
  id: string;
  name: string;
  /** the first characters of the key, to tell keys apart. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  active: boolean;
  /** the key itself: in the answer that created it, never again. */
  key?: string;
}

export function presentKey(k: ApiKey, secret?: string): ApiKeyJson {
  const out: ApiKeyJson = {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: new Date(k.createdAt).toISOString(),
    last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
    active: k.active,
  };
  if (secret !== undefined) out.key = secret;
  return out;
}
