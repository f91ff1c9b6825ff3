/**
 * The single registry of domain errors. `core/` and the store/bus adapters throw only
 * `DomainError`; each edge (HTTP, SMTP, MCP) maps the closed `ErrorCode` union once, in its own
 * exhaustive table (`http/errors.ts`, `smtp/replies.ts`). Codes are stable strings: once shipped,
 * never renamed, because clients match on them.
 */

/** every error code Inboxd can answer with; also the JSON `error` value. */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'mailbox_not_found',
  'message_not_found',
  'mailbox_expired',
  'address_taken',
  'already_exists',
  'address_unavailable',
  'message_too_large',
  'message_rejected',
  'too_many_recipients',
  'quota_exceeded',
  'rate_limited',
  'wait_timeout',
  'unexpected_message',
  'invalid_signature',
  'storage_unavailable',
  'auth_required',
  'auth_failed',
  'auth_throttled',
  'encryption_required',
  'address_reserved',
  'too_many_unknown_recipients',
  'server_busy',
  'shutting_down',
  'invalid_query',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * a failure the caller can act on. `details` is safe to show to the client (never credentials).
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** true when `err` is a DomainError, optionally of one of the given codes. */
export function isDomainError(err: unknown, ...codes: ErrorCode[]): err is DomainError {
  return err instanceof DomainError && (codes.length === 0 || codes.includes(err.code));
}
