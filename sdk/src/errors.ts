/**
 * Typed errors. Every failure the SDK reports is an `InboxdError` whose `code` is the server's
 * stable JSON `error` value (docs/errors.md), or one of a few codes the client itself gives when
 * there was no usable answer (network failure, a non-JSON reply). Match on `code`, never on
 * `message`.
 */
import type { DeliveryAttempt, MessageSummary, NearMiss } from './types.js';

/**
 * every error code the server answers with, in the order of the server's registry. Kept equal to
 * the server's list by a test (test/sdk/error-codes.test.ts).
 */
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

/** a stable error code the server answers with (the JSON `error` field). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * codes the client gives when the server gave no coded answer: `internal_error` (a 500),
 * `network_error` (no answer at all: refused, reset, DNS, aborted), `unexpected_response` (an
 * answer that is not Inboxd's JSON, e.g. from a proxy).
 */
export type ClientErrorCode = 'internal_error' | 'network_error' | 'unexpected_response';

/** any code an `InboxdError` can carry. */
export type InboxdErrorCode = ErrorCode | ClientErrorCode;

/**
 * the one error type the SDK throws.
 *
 * @example
 * try { await mailbox.waitForMessage({ timeoutMs: 5_000 }); }
 * catch (err) { if (isInboxdError(err, 'wait_timeout')) console.log('no mail'); else throw err; }
 */
export class InboxdError extends Error {
  /** the stable error code (the server's JSON `error`, or a client code). */
  readonly code: InboxdErrorCode;
  /** the HTTP status, or 0 when there was no HTTP answer. */
  readonly status: number;
  /** the other fields of the server's error body (e.g. `message_id` for `unexpected_message`). */
  readonly details: Readonly<Record<string, unknown>>;
  /** seconds to wait before retrying, from `Retry-After`, when the server sent one. */
  readonly retryAfter: number | undefined;
  /**
   * `wait_timeout`: messages that arrived during or before the wait but did not match its
   * filters, newest first (at most 10), each with the filters it `failed`.
   */
  readonly arrived: NearMiss[] | undefined;
  /** `wait_timeout`: the mailbox's refused or faulted delivery attempts, newest first (at most 10). */
  readonly refused: DeliveryAttempt[] | undefined;
  /** `unexpected_message` (expectNoMessage): the message that arrived. */
  readonly unexpected: MessageSummary | undefined;

  /**
   * @param code the stable error code
   * @param status the HTTP status (0 when there was no answer)
   * @param message a human-readable message
   * @param details the other fields of the error body
   * @param options `cause` for a wrapped failure, `retryAfter` in seconds
   */
  constructor(code: InboxdErrorCode, status: number, message: string, details: Record<string, unknown> = {}, options: { cause?: unknown; retryAfter?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InboxdError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = options.retryAfter;
    this.arrived = Array.isArray(details.arrived) ? (details.arrived as NearMiss[]) : undefined;
    this.refused = Array.isArray(details.refused) ? (details.refused as DeliveryAttempt[]) : undefined;
    this.unexpected = typeof details.unexpected === 'object' && details.unexpected !== null ? (details.unexpected as MessageSummary) : undefined;
  }
}

/**
 * true when `err` is an `InboxdError`, optionally with one of the given codes.
 *
 * @param err anything caught
 * @param codes accept only these codes (any code when empty)
 */
export function isInboxdError(err: unknown, ...codes: InboxdErrorCode[]): err is InboxdError {
  return err instanceof InboxdError && (codes.length === 0 || codes.includes(err.code));
}
