/**
 * Pre-parse caps on a raw message (DESIGN "Delivery rules" 7): at most 1,000 MIME parts, nesting
 * 100 and 256 KB of top-level headers. They run before the MIME parser is handed the bytes, so a
 * message built to make the parser slow or hungry (300,000 empty parts, a megabyte of headers) is
 * refused in one linear pass instead. The counts are cheap proxies, not a second parser: they may
 * over-count (a `boundary=` quoted in a body still counts), which only ever errs towards refusing
 * to parse — and a refused message is still stored, raw bytes kept, with `parse_error` set.
 * Also here: the one normalisation applied before parsing ({@link withHeaderBlock}) and the
 * parser options, so the parse worker and the attachment reader cannot drift apart.
 */

/** the caps checked by {@link checkMimeLimits}. */
export interface MimeLimits {
  /** most delimiter lines (`--boundary`) that may open a part. */
  maxParts: number;
  /** most distinct declared boundaries, a bounded stand-in for multipart nesting depth. */
  maxDepth: number;
  /** most bytes in the top-level header block (up to the first empty line). */
  maxHeaderBytes: number;
}

/** the caps from DESIGN "Delivery rules" 7. */
export const DEFAULT_MIME_LIMITS: Readonly<MimeLimits> = Object.freeze({
  maxParts: 1000,
  maxDepth: 100,
  maxHeaderBytes: 256 * 1024,
});

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;

// RFC 2046 §5.1.1 caps a boundary at 70 characters; allow slack for sloppy senders while keeping
// the work per `boundary=` occurrence and per delimiter line bounded.
const MAX_BOUNDARY_CHARS = 200;
// transport padding (trailing whitespace) tolerated after a delimiter
const MAX_PADDING = 64;

/**
 * Checks a raw message against the pre-parse caps in a few linear passes over the bytes.
 * Returns a human-readable reason for the first cap exceeded, or null when the message may be
 * handed to the MIME parser.
 */
export function checkMimeLimits(raw: Uint8Array, limits: MimeLimits = DEFAULT_MIME_LIMITS): string | null {
  const headerBytes = topLevelHeaderBytes(raw, limits.maxHeaderBytes);
  if (headerBytes > limits.maxHeaderBytes) {
    return `message headers exceed ${formatBytes(limits.maxHeaderBytes)}`;
  }

  const boundaries = declaredBoundaries(raw, limits.maxDepth);
  if (boundaries.size > limits.maxDepth) {
    return `message declares more than ${limits.maxDepth} multipart boundaries (nesting limit ${limits.maxDepth})`;
  }
  if (boundaries.size === 0) return null;

  const parts = countDelimiterLines(raw, boundaries, limits.maxParts);
  if (parts > limits.maxParts) {
    return `message has more than ${limits.maxParts} MIME parts`;
  }
  return null;
}

/**
 * Size of the top-level header block: everything before the first empty line (CRLF or bare LF).
 * A message with no empty line is all header as far as a MIME parser is concerned, so it counts
 * in full. Stops counting once past `cap`, since the exact size no longer matters.
 */
export function topLevelHeaderBytes(raw: Uint8Array, cap = Infinity): number {
  // an empty first line means no headers at all
  if (raw[0] === LF || (raw[0] === CR && raw[1] === LF)) return 0;
  let pos = 0;
  while (pos < raw.length) {
    const nl = raw.indexOf(LF, pos);
    if (nl < 0) return raw.length;
    const next = nl + 1;
    if (raw[next] === LF || (raw[next] === CR && raw[next + 1] === LF)) return next;
    if (next > cap) return next;
    pos = next;
  }
  return raw.length;
}

/**
 * Every distinct `boundary=` parameter value in the message, quoted or not, found anywhere
 * (case-insensitive). Scans the bytes directly rather than decoding the message to a string, so
 * the check costs no heap in proportion to the message. Stops collecting one past `max`, which
 * is all the caller needs to know the cap was exceeded.
 *
 * It jumps from one '=' to the next with a native byte search and looks back from each for
 * `boundary` and up to 16 bytes of whitespace: '=' is far rarer than the letter 'b' in text and
 * HTML, and absent from base64 but for its padding, so a 500 KB attachment costs one memchr
 * instead of a JavaScript step per byte. Looking back from '=' finds exactly what looking forward
 * from 'b' did: the needle is letters, so it must end where the whitespace run before '=' starts.
 */
function declaredBoundaries(raw: Uint8Array, max: number): Set<string> {
  const found = new Set<string>();
  const bytes = asBuffer(raw);
  for (let eq = bytes.indexOf(EQUALS, NEEDLE.length); eq >= 0; eq = bytes.indexOf(EQUALS, eq + 1)) {
    const value = boundaryBefore(raw, eq);
    if (value === null) continue;
    found.add(value);
    if (found.size > max) break;
  }
  return found;
}

const NEEDLE = [0x62, 0x6f, 0x75, 0x6e, 0x64, 0x61, 0x72, 0x79]; // "boundary"
// whitespace allowed between `boundary` and '=', and between '=' and the value (a folded
// header line included)
const MAX_SPACE = 16;
const QUOTE = 0x22;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;

function isWhitespace(c: number | undefined): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF;
}

/** the parameter value if the '=' at `eq` follows `boundary`, else null. Bounded work per call. */
function boundaryBefore(raw: Uint8Array, eq: number): string | null {
  let at = eq;
  while (at > eq - MAX_SPACE && isWhitespace(raw[at - 1])) at--;
  if (isWhitespace(raw[at - 1])) return null; // more whitespace than allowed
  at -= NEEDLE.length;
  if (at < 0) return null;
  // OR-ing 0x20 lower-cases ASCII letters; every needle byte is a letter, so nothing else matches
  for (let k = 0; k < NEEDLE.length; k++) if ((raw[at + k]! | 0x20) !== NEEDLE[k]) return null;
  const len = raw.length;
  let p = eq + 1;
  let budget = MAX_SPACE;
  while (budget-- > 0 && isWhitespace(raw[p])) p++;
  const quoted = raw[p] === QUOTE;
  if (quoted) p++;
  const start = p;
  const limit = Math.min(len, start + MAX_BOUNDARY_CHARS);
  while (p < limit) {
    const c = raw[p]!;
    if (c === QUOTE || c === CR || c === LF || (!quoted && (c === SPACE || c === TAB || c === SEMICOLON))) break;
    p++;
  }
  if (p === start) return null;
  return Buffer.from(raw.buffer, raw.byteOffset + start, p - start).toString('latin1');
}

/**
 * Counts lines that are a delimiter (`--boundary`, optionally followed by transport padding,
 * RFC 2046 §5.1.1) for one of `boundaries`. A close delimiter (`--boundary--`) ends a multipart
 * rather than opening a part, so it does not count. Stops one past `max`.
 */
function countDelimiterLines(raw: Uint8Array, boundaries: Set<string>, max: number): number {
  let count = 0;
  // a native search from dash to dash skips what cannot be a delimiter (a base64 body whole,
  // as '-' is not in its alphabet); only "--" at the start of a line is looked at further
  const bytes = asBuffer(raw);
  for (let at = bytes.indexOf(DASH); at >= 0; at = bytes.indexOf(DASH, at + 1)) {
    if (raw[at + 1] !== DASH || (at > 0 && raw[at - 1] !== LF)) continue;
    if (isDelimiter(raw, at, boundaries) && ++count > max) return count;
    at++; // the second dash cannot start a line
  }
  return count;
}

/** a Buffer over the same memory, for its native (memchr) indexOf; nothing is copied. */
function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** whether the line at `start` (which begins with "--") is `--<boundary>` plus padding. */
function isDelimiter(raw: Uint8Array, start: number, boundaries: Set<string>): boolean {
  // a delimiter line is short: longer lines cannot name a boundary, so never look further
  const stop = Math.min(raw.length, start + 2 + MAX_BOUNDARY_CHARS + MAX_PADDING);
  let end = start + 2;
  while (end < stop && raw[end] !== LF) end++;
  if (end === stop && end < raw.length) return false;
  while (end > start + 2 && (raw[end - 1] === CR || raw[end - 1] === SPACE || raw[end - 1] === TAB)) end--;
  const valueLen = end - start - 2;
  if (valueLen <= 0 || valueLen > MAX_BOUNDARY_CHARS) return false;
  return boundaries.has(Buffer.from(raw.buffer, raw.byteOffset + start + 2, valueLen).toString('latin1'));
}

// RFC 5322 §2.2: a field name is printable ASCII other than ':' and space, then ':'. Obsolete
// syntax (§4.5) allows whitespace before the colon.
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]{1,998}[ \t]*:/;

/** true when the message opens with a header field, or with the empty line that ends none. */
function startsWithHeader(raw: Uint8Array): boolean {
  if (raw.length === 0 || raw[0] === 0x0a || raw[0] === 0x0d) return true;
  let end = raw.indexOf(0x0a);
  if (end < 0 || end > 1000) end = Math.min(raw.length, 1000);
  const first = Buffer.from(raw.buffer, raw.byteOffset, end).toString('latin1');
  return HEADER_LINE.test(first);
}

const EMPTY_LINE = Uint8Array.of(CR, LF);

/**
 * The bytes to check and parse. A message that opens with something other than a header field —
 * someone piped a bare body into SMTP — would have its first paragraph read as malformed header
 * names (and counted against the header cap); it gets an empty header block in front instead,
 * so it is read as all body. Anything else is returned as is. The parse worker and the
 * attachment reader both go through this, so they see the same message.
 */
export function withHeaderBlock(raw: Uint8Array): Uint8Array {
  if (startsWithHeader(raw)) return raw;
  const out = new Uint8Array(raw.length + EMPTY_LINE.length);
  out.set(EMPTY_LINE, 0);
  out.set(raw, EMPTY_LINE.length);
  return out;
}

/**
 * postal-mime's own limits, set to match ours so that a message that passed
 * {@link checkMimeLimits} is not refused by the parser for a different reason. Its header limit
 * sums every part's headers, so it stays at the library default (2 MiB). Shared by the parse
 * worker and the attachment reader: attachment indexes are only stable if both parse alike.
 */
export const PARSER_OPTIONS = Object.freeze({
  maxNestingDepth: DEFAULT_MIME_LIMITS.maxDepth,
  maxHeadersSize: 2 * 1024 * 1024,
  attachmentEncoding: 'arraybuffer' as const,
});

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KB` : `${n} bytes`;
}
