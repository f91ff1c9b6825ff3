/**
 * The mailbox's wire shape, defined once (zod), and the presenter that fills it. REST's response
 * schemas and OpenAPI (`http/schemas.ts`), the MCP output schemas (`mcp/tools/schemas.ts`) and
 * the SDK's types (pinned by `test/wire/sdk-types.test.ts`) all follow this definition: a new
 * field goes here first, then into `presentMailbox`. Never includes the token hash or the owner id.
 */
import { z } from 'zod';
import type { Mailbox } from '../core/types.js';
import { count, timestamp } from './wire.js';

export const mailboxJson = z.object({
  address: z.string().describe('the whole address, lower-case'),
  domain: z.string(),
  created_at: timestamp,
  expires_at: timestamp,
  expires_in: count.describe('seconds left at the time of the answer (0 once expired)'),
  owner_type: z.enum(['anonymous', 'api', 'mcp']),
  group: z.string().nullable(),
  last_seq: count.describe('the highest seq given so far: wait with after_seq=last_seq to ignore older mail'),
  message_count: count,
  session_token: z.string().nullable().optional().describe('on create only: the credential of an anonymous mailbox (shown once), null when created with an API key; absent on every other answer'),
});

export type MailboxJson = z.infer<typeof mailboxJson>;

/** `GET /api/v1/domains`: the receiving domains; the first is the default. */
export const domainListJson = z.object({ domains: z.array(z.string()), default: z.string() });
export type DomainListJson = z.infer<typeof domainListJson>;

/** `DELETE /api/v1/mailboxes?group=…`. */
export const deletedGroupJson = z.object({ deleted: count, addresses: z.array(z.string()) });
export type DeletedGroupJson = z.infer<typeof deletedGroupJson>;

/** `sessionToken` is given on create only: the anonymous mailbox's token, or null. */
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
  if (sessionToken !== undefined) out.session_token = sessionToken;
  return out;
}
