/**
 * Recipient addresses: normalise, split the plus-tag, check the domain is ours. Pure.
 * (Generation of new addresses lives in `names.ts`.)
 */
import { domainToASCII } from 'node:url';
import { DomainError } from './errors.js';

export interface ParsedAddress {
  /** the mailbox address, lower-case, without the tag: `name@domain`. */
  address: string;
  localPart: string;
  domain: string;
  /** the `tag` of `name+tag@domain`, or null. */
  tag: string | null;
}

// RFC 5321 §4.5.3.1: local part ≤ 64 octets, path ≤ 256. We accept the dot-atom subset that
// generated and chosen addresses use, widened by RFC 6531 §3.3 to UTF-8 (any non-ASCII
// character but controls, separators and unassigned ones), since SMTPUTF8 is advertised;
// quoted local parts are refused rather than half-supported.
const ATOM = "(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]|[^\\p{C}\\p{Z}\\x00-\\x7f])+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u');
const DOMAIN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * normalises and checks an address (lower-case, trimmed, tag split off).
 * @throws DomainError invalid_input when it is not an address we could hold.
 */
export function parseAddress(input: string): ParsedAddress {
  // NFC: the same name typed on two systems is one mailbox (RFC 6532 §3.1)
  const value = input.trim().normalize('NFC').toLowerCase().replace(/^<|>$/g, '');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1 || value.length > 254) {
    throw new DomainError('invalid_input', `not an email address: ${JSON.stringify(input.slice(0, 100))}`);
  }
  const local = value.slice(0, at);
  // IDNs are kept in their ASCII (punycode) form, the one DNS and our domain list use
  const domain = domainToASCII(value.slice(at + 1)) || value.slice(at + 1);
  if (Buffer.byteLength(local) > 64 || !LOCAL.test(local) || !DOMAIN.test(domain)) {
    throw new DomainError('invalid_input', `not an email address: ${JSON.stringify(input.slice(0, 100))}`);
  }
  const plus = local.indexOf('+');
  const base = plus > 0 ? local.slice(0, plus) : local;
  const tag = plus > 0 ? local.slice(plus + 1) || null : null;
  return { address: `${base}@${domain}`, localPart: base, domain, tag };
}

/**
 * checks a chosen local part for a new mailbox: no `+` (that is the tag separator), 1–64 chars.
 * @throws DomainError invalid_input
 */
export function checkLocalPart(localPart: string): string {
  const v = localPart.trim().normalize('NFC').toLowerCase();
  if (v.length === 0 || Buffer.byteLength(v) > 64 || v.includes('+') || !LOCAL.test(v)) {
    throw new DomainError('invalid_input', 'local_part must be 1-64 characters of letters, digits and . _ - (no +)');
  }
  return v;
}

/**
 * local parts nobody may claim (#14 item 9): the role mailboxes of RFC 2142 and RFC 5321 §4.5.1,
 * and the ones certificate authorities write to when they validate a domain (CA/Browser Forum
 * Baseline Requirements 3.2.2.4.4), so a key holder cannot receive a domain's abuse reports or a
 * certificate for it. `noreply` is not here: it receives nothing of value and tests like it.
 */
export const RESERVED_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'postmaster',
  'abuse',
  'hostmaster',
  'webmaster',
  'admin',
  'administrator',
  'root',
  'mailer-daemon',
  'noc',
  'security',
  'ssladmin',
  'ssladministrator',
]);

/** true when a (normalised) local part is reserved for the domain's operators. */
export function isReservedLocalPart(localPart: string): boolean {
  return RESERVED_LOCAL_PARTS.has(localPart.toLowerCase());
}

/** true when `domain` is one of ours. */
export function isOurDomain(domain: string, domains: readonly string[]): boolean {
  return domains.includes(domain.toLowerCase());
}
