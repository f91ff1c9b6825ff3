/**
 * ErrorCode → HTTP status: the only HTTP mapping, installed once in buildApp. Known codes show
 * their message; anything else is logged with the request id and answered as a generic 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isDomainError } from '../core/errors.js';
import { presentErrorDetails } from '../presenters/error.js';

/** exhaustive: adding an ErrorCode without a status fails to compile. */
export const HTTP_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  mailbox_not_found: 404,
  message_not_found: 404,
  mailbox_expired: 410,
  address_taken: 409,
  already_exists: 409,
  address_unavailable: 503,
  message_too_large: 413,
  message_rejected: 422,
  too_many_recipients: 400,
  quota_exceeded: 429,
  rate_limited: 429,
  wait_timeout: 408,
  unexpected_message: 409,
  invalid_signature: 403,
  storage_unavailable: 503,
  auth_required: 401,
  auth_failed: 401,
  auth_throttled: 429,
  encryption_required: 403,
  address_reserved: 403,
  too_many_unknown_recipients: 429,
  server_busy: 503,
  shutting_down: 503,
  invalid_query: 400,
} as const satisfies Record<ErrorCode, number>;

/** the JSON of every error answer (presenters/error.ts): `detail` repeats `message` for clients written for the seed. */
export interface ErrorBody {
  error: ErrorCode | 'internal_error';
  message: string;
  detail: string;
  [extra: string]: unknown;
}

export function errorBody(code: ErrorBody['error'], message: string, details?: Record<string, unknown>): ErrorBody {
  return { ...details, error: code, message, detail: message };
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>): FastifyReply {
  const status = HTTP_STATUS[code];
  if (code === 'quota_exceeded' || code === 'rate_limited') {
    reply.header('Retry-After', String(details?.retry_after ?? 60));
  }
  if (code === 'storage_unavailable' || code === 'address_unavailable' || code === 'server_busy') reply.header('Retry-After', '5');
  // another node (or this one, restarted) answers the retry; the connection is not kept
  if (code === 'shutting_down') reply.header('Retry-After', '1').header('Connection', 'close');
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, presentErrorDetails(details)));
}

const PLACE: Record<string, string> = { querystring: 'query parameter', body: 'body field', params: 'path parameter', headers: 'header' };

/**
 * a schema refusal in words a caller can act on: an unknown parameter is named with the known
 * ones (a typo such as `body_regex=` must not pass as "no filter").
 */
function validationMessage(err: FastifyError, request: FastifyRequest): string {
  const first = err.validation?.[0];
  const extra = first?.keyword === 'additionalProperties' ? (first.params as { additionalProperty?: string }).additionalProperty : undefined;
  if (extra === undefined) return err.message;
  const context = err.validationContext ?? 'querystring';
  const schema = (request.routeOptions.schema as Record<string, { properties?: Record<string, unknown> } | undefined> | undefined)?.[context];
  const known = Object.keys(schema?.properties ?? {});
  const place = PLACE[context] ?? context;
  return `unknown ${place} "${extra}"; ${known.length ? `known: ${known.join(', ')}` : `this route takes no ${place}s`}`;
}

export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDomainError(err)) return sendError(reply, err.code, err.message, err.details);
  const fe = err as FastifyError;
  if (fe.validation) return sendError(reply, 'invalid_input', validationMessage(fe, request));
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'message_too_large', 'request body too large');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return reply.code(fe.statusCode).send(errorBody('invalid_input', fe.message));
  }
  request.log.error({ err }, 'unhandled error');
  return reply.code(500).send(errorBody('internal_error', 'internal error; see the server log for the request id ' + request.id));
}
