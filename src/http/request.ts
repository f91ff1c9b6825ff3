/**
 * Reading who is calling from an HTTP request: credentials from headers (and, for WebSocket
 * compatibility with the seed design, from the query), and the client address key used by the
 * anonymous cap (IPv6 reduced to its /64, since one host usually holds a whole /64).
 */
import type { FastifyRequest } from 'fastify';
import type { Credentials } from '../core/auth.js';

export function credentialsFrom(request: FastifyRequest, allowQuery = false): Credentials {
  const auth = request.headers.authorization;
  const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
  const sessionHeader = request.headers['x-session-token'];
  const creds: Credentials = {
    bearer: bearer || undefined,
    sessionToken: typeof sessionHeader === 'string' && sessionHeader ? sessionHeader : undefined,
    loopback: isLoopbackIp(request.ip),
  };
  if (allowQuery && !creds.bearer && !creds.sessionToken) {
    const q = request.query as Record<string, unknown>;
    if (typeof q.api_key === 'string' && q.api_key) creds.bearer = q.api_key;
    else if (typeof q.token === 'string' && q.token) creds.sessionToken = q.token;
  }
  return creds;
}

/** true for 127.0.0.0/8 and ::1 (also IPv4-mapped): the client is on this host. */
export function isLoopbackIp(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./i.test(ip);
}

export { clientKey } from '../core/client-key.js';

/** the URL with credentials in the query string replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|api_key|session_token)=)[^&#]*/gi, '$1[redacted]');
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266), safe for any given name. */
export function contentDisposition(filename: string): string {
  const clean = filename.replace(/[\r\n"\\/]/g, '_').slice(0, 200) || 'download';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}
