/**
 * Which hosts a webhook may call (#15 item 4): http(s) only, and unless private targets are
 * allowed, every address the host resolves to must be public: loopback, private, CGNAT,
 * link-local (the 169.254.169.254 metadata service among them), unique-local, multicast and
 * reserved ranges are refused, as are IPv4-mapped and NAT64 forms of them. The sender connects to
 * the very address checked here (no second lookup), so DNS rebinding between check and connect
 * has nothing to rebind. Not for: the request itself (sender.ts).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../core/errors.js';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** the IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** true for an address a webhook must not reach unless private targets are allowed. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4 !== null) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true;
}

export interface ResolvedTarget {
  url: URL;
  /** the address to connect to: the one that was checked. */
  address: string;
  family: 4 | 6;
}

/**
 * resolves the URL's host and checks every address it has.
 * @throws DomainError invalid_input when the scheme is not http(s), the host does not resolve, or
 *   (unless `allowPrivate`) an address is not public
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('invalid_input', 'webhook URLs use http or https');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new DomainError('invalid_input', `webhook host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new DomainError('invalid_input', `webhook host ${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    // one private answer is enough to refuse: a rebinding host would otherwise pick it later
    if (bad) throw new DomainError('invalid_input', `webhook host ${host} resolves to a non-public address (${bad.address}); set INBOXD_WEBHOOK_ALLOW_PRIVATE=true to allow it`);
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** the check core's endpoint rules call on a new or changed URL (core/webhooks/endpoints.ts TargetCheck). */
export function targetCheck(allowPrivate: boolean): (url: URL) => Promise<void> {
  return async (url) => {
    await resolveTarget(url, allowPrivate);
  };
}
