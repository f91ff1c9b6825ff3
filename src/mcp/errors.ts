/**
 * DomainError → MCP tool result: `{ isError: true, content: [{ type: 'text', text: 'code: message
 * — hint' }] }`, so a model sees what went wrong and what to do next, never a protocol error for
 * a domain failure. Also turns the REST API's `{error, message}` bodies back into DomainErrors for
 * the HTTP backend. The HTTP and SMTP edges have their own tables (`http/errors.ts`,
 * `smtp/replies.ts`).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DomainError, ERROR_CODES, type ErrorCode, isDomainError } from '../core/errors.js';

/** exhaustive: adding an ErrorCode without a hint fails to compile. */
export const MCP_HINTS = {
  invalid_input: 'check the arguments against the tool description and call it again',
  unauthorized: 'the API key is missing, wrong or revoked; ask the user for a valid Inboxd API key',
  forbidden: 'this mailbox belongs to another key; call list_mailboxes to see yours, or create_mailbox',
  not_found: 'check the address or id; call list_mailboxes or get_messages to see what exists',
  method_not_allowed: 'an HTTP method the route does not take; nothing to do from an agent',
  mailbox_not_found: 'check the address; call list_mailboxes to see your mailboxes, or create_mailbox for a new one',
  message_not_found: 'call get_messages to list the message ids in this mailbox',
  mailbox_expired: 'the mailbox has ended; call create_mailbox for a new address',
  address_taken: 'choose another local_part, or leave it out to get a generated address',
  already_exists: 'it exists already: use the existing one, or choose another name',
  address_unavailable: 'call create_mailbox again in a few seconds',
  message_too_large: 'the message is over the plan limit; nothing to do from here',
  message_rejected: 'the message was refused for its content (a virus, or spam where spam is refused); nothing to do from here',
  too_many_recipients: 'send to fewer recipients at once',
  quota_exceeded: 'delete mailboxes you no longer need (delete_mailbox) and try again, or wait for some to expire',
  rate_limited: 'wait a minute and try again',
  wait_timeout: 'call wait_for_message again (pass after_seq to skip older mail), or check that the sender really sent to this address',
  unexpected_message: 'a message arrived that was not expected; call get_messages to look at it',
  invalid_signature: 'the request signature was not valid; nothing to do from an agent',
  storage_unavailable: 'Inboxd storage is briefly unavailable; try again in a few seconds',
  auth_required: 'the SMTP server wants AUTH before MAIL; nothing to do from an agent',
  auth_failed: 'the SMTP password must be an active Inboxd API key',
  auth_throttled: 'too many failed SMTP logins from this address; wait a minute',
  encryption_required: 'SMTP AUTH from another host needs STARTTLS or the implicit-TLS port first',
  address_reserved: 'this local part is kept for the domain\'s operators (postmaster, abuse, ...); choose another local_part',
  too_many_unknown_recipients: 'too many mail to unknown addresses from this client; wait and try again',
  server_busy: 'Inboxd is busy; try again in a few seconds',
  shutting_down: 'this Inboxd server is restarting; call the tool again in a few seconds',
  invalid_query: 'fix the search query (words, "phrases", from:, to:, subject:, has:attachment, is:read, is:unread, after:, before:, - to negate) and call search_messages again',
} as const satisfies Record<ErrorCode, string>;

const KNOWN = new Set<string>(ERROR_CODES);

/** the Inboxd server could not be reached or answered nonsense (the HTTP backend only). */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: 'network_error' | 'unexpected_response',
    message: string,
  ) {
    super(message);
  }
}

/** the tool result for a DomainError. */
export function toolError(err: DomainError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message} — ${MCP_HINTS[err.code]}` }] };
}

/**
 * runs a tool body: DomainErrors become isError results with a hint; anything else is an internal
 * failure, reported without its details (they may hold paths or driver text).
 */
export async function guard(run: () => Promise<CallToolResult>, onUnexpected?: (err: unknown) => void): Promise<CallToolResult> {
  try {
    return await run();
  } catch (err) {
    if (isDomainError(err)) return toolError(err);
    if (err instanceof UpstreamError) {
      return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message} — check INBOXD_URL and that the Inboxd server is running, then try again` }] };
    }
    onUnexpected?.(err);
    return { isError: true, content: [{ type: 'text', text: 'internal_error: Inboxd failed unexpectedly — try again; if it persists, check the Inboxd server log' }] };
  }
}

/** the DomainError an Inboxd API error body stands for (the HTTP backend). */
export function domainErrorFromApi(status: number, body: unknown): DomainError | Error {
  const b = (body ?? {}) as { error?: unknown; message?: unknown };
  const message = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
  if (typeof b.error === 'string' && KNOWN.has(b.error)) {
    const { error: _e, message: _m, ...details } = b as Record<string, unknown>;
    return new DomainError(b.error as ErrorCode, message, details);
  }
  if (status === 401) return new DomainError('unauthorized', message);
  if (status === 403) return new DomainError('forbidden', message);
  if (status === 404) return new DomainError('not_found', message);
  if (status === 408) return new DomainError('wait_timeout', message);
  if (status === 429) return new DomainError('rate_limited', message);
  if (status === 503) return new DomainError('storage_unavailable', message);
  return new Error(`Inboxd answered ${status}: ${message}`);
}
