/**
 * Driver failures → domain errors, once, for the PostgreSQL store. Whatever pg throws (refused
 * connection, admin shutdown, pool timeout, a broken socket) leaves this folder as
 * `DomainError('storage_unavailable')`; domain errors pass through untouched.
 */
import { DomainError, isDomainError } from '../../core/errors.js';

/** SQLSTATE of a pg error, when it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * true when the connection itself failed (as opposed to a statement being refused): class 08
 * (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now), 53300 (too many
 * connections), socket errors, and pg's own "terminated" / timeout errors, which carry no code.
 */
export function isConnectionError(err: unknown): boolean {
  const code = sqlState(err);
  if (code !== undefined) {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed|Connection ended/i.test(message);
}

/** deadlock or serialisation failure: the transaction may simply be run again. */
export function isRetryable(err: unknown): boolean {
  const code = sqlState(err);
  return code === '40P01' || code === '40001';
}

/** wraps anything that is not already a DomainError as storage_unavailable. */
export function storageError(err: unknown): unknown {
  if (isDomainError(err)) return err;
  const code = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError('storage_unavailable', `storage unavailable: ${code ? `${code} ` : ''}${message}`);
}
