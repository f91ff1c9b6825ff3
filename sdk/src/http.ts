/**
 * The SDK's one HTTP path: builds the URL, sets the credentials, sends with `fetch`, and turns
 * every non-2xx answer into an `InboxdError`. Internal: nothing here is exported from the
 * package. The WebSocket side is events.ts.
 */
import { ERROR_CODES, type ErrorCode, InboxdError } from './errors.js';

/** what every request needs to know about the client. */
export interface Transport {
  /** the server's origin and optional path prefix, without a trailing slash. */
  baseUrl: string;
  fetch: typeof fetch;
  apiKey: string | undefined;
  /** extra headers sent with every request (e.g. a proxy's auth). */
  headers: Record<string, string>;
}

/** per-request options. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  /** an anonymous mailbox's session token; wins over the API key for that mailbox. */
  sessionToken?: string | undefined;
  signal?: AbortSignal | undefined;
  /** abort when no answer came in this many ms (a network_error). */
  timeoutMs?: number | undefined;
}

const KNOWN_CODES: ReadonlySet<string> = new Set<string>(ERROR_CODES);

/** the path segment for an address or id, escaped. */
export const seg = (s: string | number): string => encodeURIComponent(String(s));

/** the full URL for `path` with the defined query values. */
export function buildUrl(t: Transport, path: string, query?: RequestOptions['query']): string {
  const url = new URL(t.baseUrl + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/** the credential headers: a session token as X-Session-Token, else the API key as Bearer. */
export function authHeaders(t: Transport, sessionToken?: string): Record<string, string> {
  if (sessionToken) return { 'x-session-token': sessionToken };
  if (t.apiKey) return { authorization: `Bearer ${t.apiKey}` };
  return {};
}

/**
 * sends one request and returns the 2xx response; anything else throws.
 *
 * @throws InboxdError with the server's code, or network_error / internal_error / unexpected_response
 */
export async function send(t: Transport, method: string, path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...t.headers, ...authHeaders(t, o.sessionToken) };
  let body: string | undefined;
  if (o.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.body);
  }
  const timeout = o.timeoutMs === undefined ? undefined : new AbortController();
  const timer = timeout ? setTimeout(() => timeout.abort(), o.timeoutMs) : undefined;
  const signal = anySignal(o.signal, timeout?.signal);
  let res: Response;
  try {
    res = await t.fetch(buildUrl(t, path, o.query), { method, headers, body, signal });
  } catch (err) {
    if (o.signal?.aborted) throw o.signal.reason ?? err;
    const why = timeout?.signal.aborted ? `no answer within ${Math.round((o.timeoutMs ?? 0) / 1000)} s` : errorText(err);
    throw new InboxdError('network_error', 0, `${method} ${t.baseUrl}${path.split('?')[0]}: ${why}`, {}, { cause: err });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (res.ok) return res;
  throw await errorFrom(res);
}

/** sends a request and parses its JSON answer. */
export async function sendJson<T>(t: Transport, method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const res = await send(t, method, path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InboxdError('unexpected_response', res.status, `${method} ${path}: the answer is not JSON`, {}, { cause: err });
  }
}

/** the InboxdError for a non-2xx answer. */
async function errorFrom(res: Response): Promise<InboxdError> {
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const retryAfterHeader = res.headers.get('retry-after');
  const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
  if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
    const { error, message, ...details } = parsed as { error: string; message?: unknown } & Record<string, unknown>;
    const text = typeof message === 'string' ? message : error;
    if (KNOWN_CODES.has(error)) return new InboxdError(error as ErrorCode, res.status, text, details, { retryAfter });
    if (error === 'internal_error' || res.status >= 500) return new InboxdError('internal_error', res.status, text, { ...details, error }, { retryAfter });
    return new InboxdError('unexpected_response', res.status, text, { ...details, error }, { retryAfter });
  }
  const snippet = text.slice(0, 200);
  return new InboxdError(res.status >= 500 ? 'internal_error' : 'unexpected_response', res.status, `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`, {}, { retryAfter });
}

/** a signal that aborts when any of the given ones does (AbortSignal.any is not everywhere yet). */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  const ctl = new AbortController();
  for (const s of present) {
    if (s.aborted) {
      ctl.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => ctl.abort(s.reason), { once: true });
  }
  return ctl.signal;
}

/** the message of anything thrown, with its cause's message (fetch hides the real reason there). */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
