/**
 * Mailbox → public JSON, shared by REST, the realtime streams, MCP and the SDK's types.
 * Never includes the token hash or the owner id.
 */
import type { Mailbox } from '../core/types.js';

export interface MailboxJson {
  address: string;
  domain: string;
  created_at: string;
  expires_at: string;
  /** seconds until expiry at the time of the answer (0 once expired). */
  expires_in: number;
  owner_type: Mailbox['ownerType'];
  group: string | null;
  last_seq: number;
  message_count: number;
  session_token?: string;
}

export function presentMailbox(m: Mailbox, now: number, sessionToken?: string | null): MailboxJson {
  const out: MailboxJson = {
    address: m.address,
    domain: m.domain,
    created_at: new Date(m.createdAt).toISOString(),
    expires_at: new Date(m.expiresAt).toISOString(),
    expires_in: Math.max(0, Math.floor((m.expiresAt - now) / 1000)),
    owner_type: m.ownerType,
    group: m.group,
    last_seq: m.lastSeq,
    message_count: m.messageCount,
  };
  if (sessionToken) out.session_token = sessionToken;
  return out;
}
