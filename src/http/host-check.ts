/**
 * DNS rebinding defence: a request's Host must name this server as it was reached (loopback
 * names or the local address, with the port the connection came in on) or a host of
 * `allowed_origins`. A page on an attacker's domain that rebinds the name to 127.0.0.1 sends its
 * own name as Host, so it never reaches /mcp, WebSocket or SSE (where a laptop's loopback reads
 * may need no credentials). Origin, when sent, is checked too for /mcp.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

const hostName = (ip: string) => (isIP(ip) === 6 ? `[${ip.replace(/^::ffff:(?=\d+\.)/i, '')}]` : ip);

function allowedHosts(request: FastifyRequest, allowedOrigins: readonly string[]): { hosts: Set<string>; origins: Set<string> } {
  const port = request.socket.localPort;
  const local = request.socket.localAddress;
  const names = ['127.0.0.1', 'localhost', '[::1]', ...(local ? [hostName(local), hostName(local.replace(/^::ffff:/i, ''))] : [])];
  const hosts = new Set(names.flatMap((n) => (port === 80 ? [n, `${n}:80`] : [`${n}:${port}`])));
  const origins = new Set<string>();
  for (const o of allowedOrigins) {
    if (o === '*') continue; // a wildcard is never an allow-list for a Host
    try {
      const u = new URL(o);
      origins.add(u.origin.toLowerCase());
      hosts.add(u.host.toLowerCase());
    } catch {
      // not a URL: config validation reports it; nothing to allow here
    }
  }
  return { hosts, origins };
}

/** true when Host names this server or a host of `allowed_origins` (WebSocket, SSE). */
export function hostAllowed(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  return allowedHosts(request, allowedOrigins).hosts.has((request.headers.host ?? '').toLowerCase());
}

/** hostAllowed, and Origin (when sent) is one of `allowed_origins` or an allowed host itself (/mcp). */
export function hostAndOriginAllowed(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const { hosts, origins } = allowedHosts(request, allowedOrigins);
  if (!hosts.has((request.headers.host ?? '').toLowerCase())) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return origins.has(u.origin.toLowerCase()) || (hosts.has(u.host.toLowerCase()) && (u.protocol === 'http:' || u.protocol === 'https:'));
  } catch {
    return false;
  }
}
