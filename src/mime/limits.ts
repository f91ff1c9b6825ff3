/**
 * Pre-parse caps on a raw message (DESIGN "Delivery rules" 7): at most 1,000 MIME parts, nesting
 * 100 and 256 KB of top-level headers. They run before the MIME parser is handed the bytes, so a
 * message built to make the parser slow or hungry (300,000 empty parts, a megabyte of headers) is
 * refused in one linear pass instead. The counts are cheap proxies, not a second parser: they may
 * over-count (a `boundary=` quoted in a body still counts), which only ever errs towards refusing
 * to parse — and a refused message is still stored, raw bytes kept, with `parse_error` set.
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
// each match bounded, so the regex below cannot run away on attacker input.
const MAX_BOUNDARY_CHARS = 200;

// One alternation of bounded, non-nested pieces: linear in the input. `\s*` around `=` may scan a
// whitespace run, but only after the literal `boundary`, so no position is rescanned repeatedly.
const BOUNDARY_PARAM = /boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/gi;

/**
 * Checks a raw message against the pre-parse caps in one linear pass (plus one regex scan).
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
 * Every distinct `boundary=` parameter value in the message, quoted or not. Stops collecting one
 * past `max`, which is all the caller needs to know the cap was exceeded.
 */
function declaredBoundaries(raw: Uint8Array, max: number): Set<string> {
  const found = new Set<string>();
  // latin1 maps bytes 1:1 to UTF-16 code units: fast, never fails, and keeps offsets meaningful
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  BOUNDARY_PARAM.lastIndex = 0;
  for (let m = BOUNDARY_PARAM.exec(text); m; m = BOUNDARY_PARAM.exec(text)) {
    const value = m[1] ?? m[2];
    if (value) found.add(value);
    if (found.size > max) break;
  }
  return found;
}

/**
 * Counts lines that are a delimiter (`--boundary`, optionally followed by transport padding,
 * RFC 2046 §5.1.1) for one of `boundaries`. A close delimiter (`--boundary--`) ends a multipart
 * rather than opening a part, so it does not count. Stops one past `max`.
 */
function countDelimiterLines(raw: Uint8Array, boundaries: Set<string>, max: number): number {
  let count = 0;
  let pos = 0;
  const len = raw.length;
  while (pos < len) {
    let nl = raw.indexOf(LF, pos);
    if (nl < 0) nl = len;
    if (raw[pos] === DASH && raw[pos + 1] === DASH) {
      let end = nl;
      while (end > pos + 2 && (raw[end - 1] === CR || raw[end - 1] === SPACE || raw[end - 1] === TAB)) end--;
      const valueLen = end - pos - 2;
      // longer lines cannot name a boundary; skipping them keeps each line O(1) beyond the scan
      if (valueLen > 0 && valueLen <= MAX_BOUNDARY_CHARS) {
        const value = Buffer.from(raw.buffer, raw.byteOffset + pos + 2, valueLen).toString('latin1');
        if (boundaries.has(value)) {
          count++;
          if (count > max) return count;
        }
      }
    }
    pos = nl + 1;
  }
  return count;
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
