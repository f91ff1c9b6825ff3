/**
 * Verification codes pulled out of a message (DESIGN "Delivery rules" 4): numbers and
 * alphanumeric OTPs near a keyword, ranked by how close it is, with the text around each. Reads
 * plain text only (the subject, the text body, the rendering of the HTML body); every scan is
 * linear in its input.
 */
import type { ContentSource, ExtractedCode } from '../types.js';
import { MAX_CODES, MAX_SCAN_CHARS } from './limits.js';

// Words that announce a code, matched whole (Unicode-aware boundaries) and case-insensitively.
// German and Dutch build compounds, so their common ones are listed outright.
const KEYWORDS = [
  'code', 'codes', 'verification', 'verify', 'verifying', 'otp', 'pin', 'one-time', 'one time', 'passcode',
  'password', 'security code', 'confirm', 'confirmation', 'confirmation code', 'authentication', '2fa',
  'two-factor', 'login code', 'sign-in code', 'access code', 'token',
  // es / pt / fr / it / nl / pl / ru
  'código', 'codigo', 'verificación', 'verificacion', 'verificação', 'verificar', 'contraseña', 'senha',
  'vérification', 'vérifier', 'mot de passe', 'codice', 'verifica', 'verificatiecode', 'kod', 'код',
  'пароль', 'подтверждения',
  // de
  'bestätigungscode', 'sicherheitscode', 'bestätigung', 'bestätigen', 'einmalpasswort', 'einmalcode',
  'verifizierungscode', 'anmeldecode', 'kennwort',
];
// Scripts without spaces between words cannot use word boundaries.
const CJK_KEYWORDS = ['認証コード', '確認コード', 'コード', '認証', '验证码', '驗證碼', '校验码', '動態密碼', '인증번호', '인증 코드'];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Alternation of literals, longest first, bounded by the boundary look-arounds: linear.
const KEYWORD_RE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${[...KEYWORDS].sort((a, b) => b.length - a.length).map(escapeRegex).join('|')})(?![\\p{L}\\p{N}])` +
    `|(?:${CJK_KEYWORDS.map(escapeRegex).join('|')})`,
  'giu',
);
const ALNUM_CODE = /^[A-Z0-9]{4,10}$/;
const MIXED_CODE = /^[A-Za-z0-9]{5,10}$/;
// a word with a number at one end is a name or a version (iPhone15, Node20, Win11, 3Dmark)
const NAME_AND_NUMBER = /^(?:[A-Za-z]+[0-9]+|[0-9]+[A-Za-z]+)$/;
// Numbers with a unit or ordinal are measurements, not codes: 100KB, 1080P, 21ST, 10AM.
const UNIT_SUFFIX = /^\d+(?:ST|ND|RD|TH|AM|PM|KB|MB|GB|TB|PX|PT|EM|MS|HZ|KHZ|MHZ|GHZ|KM|CM|MM|KG|MG|ML|P|K|X|D)$/;

/** how far (in characters) a keyword may be from a code for the code to count. */
const KEYWORD_WINDOW = 80;
/** a 4-digit number that looks like a year needs a keyword this close. */
const YEAR_WINDOW = 30;
const CONTEXT_CHARS = 40;
/** stop collecting candidates in one body after this many; the rest is noise. */
const MAX_CANDIDATES = 5000;

interface Candidate {
  value: string;
  source: ContentSource;
  start: number;
  end: number;
  numeric: boolean;
  text: string;
  /** distance to the nearest keyword, or Infinity. */
  distance: number;
  keywordBefore: boolean;
  order: number;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** the whitespace-delimited run around [start, end), looking at most 100 characters each way. */
function surroundingToken(text: string, start: number, end: number): string {
  let a = start;
  const minA = Math.max(0, start - 100);
  while (a > minA && !/\s/.test(text[a - 1]!)) a--;
  let b = end;
  const maxB = Math.min(text.length, end + 100);
  while (b < maxB && !/\s/.test(text[b]!)) b++;
  return text.slice(a, b);
}

/** true when the token at [start, end) sits inside a URL, an email address or a domain name. */
function inAddress(text: string, start: number, end: number): boolean {
  const token = surroundingToken(text, start, end);
  return /:\/\/|^www\.|@|\.(?:com|net|org|io|de|co|uk)\b/i.test(token);
}

/**
 * Why a digit run at [start, end) is not a code, or null when it may be one. Rejects numbers
 * glued to punctuation that makes them something else: decimals and prices (1234.56, $1234),
 * dates (2026-01-05, 05.01.2026), phone groups (555 1234, 0800-123456), references (#1234),
 * percentages, and digits inside URLs and addresses.
 */
function rejectDigits(text: string, start: number, end: number): boolean {
  const prev = text[start - 1];
  const prev2 = text[start - 2];
  const next = text[end];
  const next2 = text[end + 1];
  // Google-style "G-123456": a lone capital and a hyphen in front are a label, not a phone group
  const letterLabel = prev === '-' && prev2 !== undefined && /[A-Z]/.test(prev2) && !isWordChar(text[start - 3]);
  if (prev !== undefined && '#/=?&.@$€£¥+-_\\%'.includes(prev) && !letterLabel) return true;
  if (next !== undefined && '%@/\\_$€£'.includes(next)) return true;
  if ((next === '.' || next === ',' || next === ':' || next === '-') && isDigit(next2)) return true;
  // phone-number groups: another digit group just before or after
  if ((prev === ' ' || prev === '\u00a0') && (isDigit(prev2) || prev2 === ')')) return true;
  if ((next === ' ' || next === '\u00a0') && isDigit(next2)) return true;
  if (prev === ')' || prev === '(' ) return true;
  if (prev2 === '©' || /copyright\s*$/i.test(text.slice(Math.max(0, start - 12), start))) return true;
  return inAddress(text, start, end);
}

function rejectAlnum(text: string, start: number, end: number): boolean {
  const prev = text[start - 1];
  const next = text[end];
  if (prev !== undefined && '#/=?&.@_-:\\%$'.includes(prev)) return true;
  if (next !== undefined && '@/\\_-'.includes(next)) return true;
  if (next === '.' && isWordChar(text[end + 1])) return true;
  return inAddress(text, start, end);
}

/**
 * Keyword hits (start, end) in order of appearance, found as far as they are needed: the scan
 * is the costly part of reading codes, and the candidates are asked about in text order, so a
 * code near the top of a long message stops it near the top. The hits are those of one scan of
 * the whole text from its start, only not all of them.
 */
class KeywordScan {
  readonly spans: [number, number][] = [];
  private at = 0;
  private done = false;
  constructor(private readonly text: string) {}

  /** the hits up to and including the first that starts at or after `end` (all, if none does). */
  upTo(end: number): [number, number][] {
    const spans = this.spans;
    while (!this.done && (spans.length === 0 || spans[spans.length - 1]![0] < end)) {
      KEYWORD_RE.lastIndex = this.at;
      const m = KEYWORD_RE.exec(this.text);
      if (!m) {
        this.done = true;
        break;
      }
      spans.push([m.index, m.index + m[0].length]);
      this.at = KEYWORD_RE.lastIndex + (m[0].length === 0 ? 1 : 0);
    }
    return spans;
  }
}

/** whether the text has a keyword at all. */
function hasKeyword(text: string): boolean {
  KEYWORD_RE.lastIndex = 0;
  return KEYWORD_RE.test(text);
}

/** distance from [start, end) to the nearest keyword span, and whether that keyword is before. */
function nearestKeyword(spans: [number, number][], start: number, end: number): { distance: number; before: boolean } {
  // binary search for the first span starting at or after the candidate's end
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]![0] < end) lo = mid + 1;
    else hi = mid;
  }
  let best = { distance: Infinity, before: false };
  const prev = spans[lo - 1];
  if (prev) best = { distance: Math.max(0, start - prev[1]), before: true };
  const after = spans[lo];
  if (after && after[0] - end < best.distance) best = { distance: after[0] - end, before: false };
  return best;
}

// Letters and numbers outside ASCII, for the few tokens that have them.
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** whether the code point is a letter or a number (\p{L} or \p{N}), as TOKEN_RE sees it. */
function isLetterOrNumber(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39);
  return LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
}

/** where the run of letters and numbers (by code point) that holds position `i` starts. */
function tokenStart(text: string, i: number): number {
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
      const h = text.charCodeAt(i - 2);
      if (h >= 0xd800 && h <= 0xdbff) {
        if (!isLetterOrNumber(text.codePointAt(i - 2)!)) break;
        i -= 2;
        continue;
      }
    }
    if (!isLetterOrNumber(c)) break;
    i--;
  }
  return i;
}

/** where the run of letters and numbers (by code point) that holds position `i` ends. */
function tokenEnd(text: string, i: number): number {
  const len = text.length;
  while (i < len) {
    const cp = text.codePointAt(i)!;
    if (!isLetterOrNumber(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

// Every kind of code has an ASCII digit, so only tokens around a digit are looked at.
const DIGIT = /[0-9]/g;

/**
 * The tokens (maximal runs of letters and numbers, as TOKEN_RE would find them) that hold an
 * ASCII digit, in order: found by jumping from digit to digit instead of matching every word.
 */
function* digitTokens(text: string): Generator<[number, number]> {
  DIGIT.lastIndex = 0;
  for (let m = DIGIT.exec(text); m; m = DIGIT.exec(text)) {
    const start = tokenStart(text, m.index);
    const end = tokenEnd(text, m.index + 1);
    yield [start, end];
    DIGIT.lastIndex = end;
  }
}

function candidatesIn(text: string, source: ContentSource, order: { n: number }): Candidate[] {
  const out: Candidate[] = [];
  // the keyword scan is the costly part: it goes only as far as the candidates ask
  const keywords = new KeywordScan(text);
  const push = (value: string, start: number, end: number, numeric: boolean): void => {
    const near = nearestKeyword(keywords.upTo(end), start, end);
    out.push({
      value,
      source,
      start,
      end,
      numeric,
      text,
      distance: near.distance,
      keywordBefore: near.before,
      order: order.n++,
    });
  };

  // pending: a 3-digit group that may be the first half of "123 456" / "123-456"
  let pending: { start: number; end: number; value: string } | null = null;
  for (const [start, end] of digitTokens(text)) {
    if (out.length >= MAX_CANDIDATES) break;
    if (end - start > 10) {
      pending = null;
      continue;
    }
    const tok = text.slice(start, end);
    const allDigits = /^[0-9]+$/.test(tok);

    if (allDigits && tok.length === 3) {
      const sep = text[start - 1];
      if (pending && pending.end === start - 1 && (sep === ' ' || sep === '-')) {
        // a split six-digit code: judge the pair as one number
        const s = pending.start;
        pending = null;
        const prev = text[s - 1];
        const next = text[end];
        const gluedBefore = prev !== undefined && (isWordChar(prev) || '#/=?&.@$€£+-_\\%'.includes(prev) || (prev === ' ' && isDigit(text[s - 2])));
        const gluedAfter = next !== undefined && (isWordChar(next) || ((next === ' ' || next === '-' || next === '.') && isDigit(text[end + 1])));
        if (!gluedBefore && !gluedAfter && !inAddress(text, s, end)) push(text.slice(s, s + 3) + tok, s, end, true);
        continue;
      }
      pending = { start, end, value: tok };
      continue;
    }
    pending = null;

    if (allDigits) {
      if (tok.length < 4 || tok.length > 8) continue;
      if (rejectDigits(text, start, end)) continue;
      const n = Number(tok);
      if (tok.length === 4 && n >= 1900 && n <= 2099) {
        const near = nearestKeyword(keywords.upTo(end), start, end);
        if (near.distance > YEAR_WINDOW) continue;
      }
      push(tok, start, end, true);
      continue;
    }

    if (!isAlnumCode(tok)) continue;
    if (rejectAlnum(text, start, end)) continue;
    push(tok, start, end, false);
  }
  return out;
}

/**
 * Whether a letters-and-digits token is shaped like a generated code. Upper-case: 4–10
 * characters with at least two letters and two digits (A7K9QZ; not MP4, 2FA, 1080P or 25MB).
 * Mixed-case: 5–10 characters with upper- and lower-case letters and a digit that is not just
 * a number at one end (vM8xw, Ab12Cd; not iPhone15, Node20, or a word, which has no digit).
 */
function isAlnumCode(tok: string): boolean {
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c >= 0x41 && c <= 0x5a) upper++;
    else if (c >= 0x61 && c <= 0x7a) lower++;
  }
  if (lower === 0) {
    // two of each keeps out model numbers and units (MP4, 2FA, 1080P)
    return ALNUM_CODE.test(tok) && digits >= 2 && upper >= 2 && !UNIT_SUFFIX.test(tok);
  }
  return MIXED_CODE.test(tok) && upper >= 1 && digits >= 1 && !NAME_AND_NUMBER.test(tok);
}

function contextOf(c: Candidate): string {
  const from = Math.max(0, c.start - CONTEXT_CHARS);
  const to = Math.min(c.text.length, c.end + CONTEXT_CHARS);
  return c.text.slice(from, to).replace(/\s+/g, ' ').trim();
}

function score(c: Candidate): number {
  const distance = Number.isFinite(c.distance) ? c.distance : KEYWORD_WINDOW + 20;
  let s = 1000 - distance * 10;
  // "code: 123456" reads more like a code than "123456 ... code"
  if (c.keywordBefore) s += 50;
  if (c.numeric && c.value.length === 6) s += 30;
  if (c.source === 'subject') s += 20;
  return s;
}

/**
 * Finds verification codes: 4–8 digit numbers (also "123 456"), upper-case alphanumeric OTPs
 * of 4–10 characters mixing letters and digits (`A7K9QZ`) and mixed-case ones of 5–10 (`vM8xw`). Years, phone-number groups, prices,
 * dates, hex colours and anything inside URLs or addresses are skipped. A candidate counts only
 * with a keyword (code, verification, OTP, PIN, código, Bestätigungscode, …) within about 80
 * characters — or when the message's only number-shaped candidate is a single 6-digit number —
 * and results are ranked by how close that keyword is, best first. `html` codes are read from
 * `htmlText`, the rendered text of the HTML body (`htmlToText`; the caller has it already,
 * so the HTML is not walked again), and reported only when the text body lacks them. One entry
 * per (value, source), at most {@link MAX_CODES}.
 */
export function extractCodes(input: { subject: string | null; text: string | null; htmlText: string | null }): ExtractedCode[] {
  const order = { n: 0 };
  const subject = input.subject ? input.subject.slice(0, 4096) : '';
  const text = input.text ? input.text.slice(0, MAX_SCAN_CHARS) : '';
  const htmlText = input.htmlText ? input.htmlText.slice(0, MAX_SCAN_CHARS) : '';

  const fromSubject = candidatesIn(subject, 'subject', order);
  const fromText = candidatesIn(text, 'text', order);
  const textValues = new Set(fromText.map((c) => c.value));
  const fromHtml = candidatesIn(htmlText, 'html', order).filter((c) => !textValues.has(c.value));
  const all = [...fromSubject, ...fromText, ...fromHtml];

  const numericValues = new Set(all.filter((c) => c.numeric).map((c) => c.value));
  const loneSixDigit = numericValues.size === 1 && [...numericValues][0]!.length === 6 ? [...numericValues][0] : null;
  // a subject that announces a code vouches for a body with very few candidates
  const subjectAnnounces = hasKeyword(subject);
  const bodyValues = new Set(all.filter((c) => c.source !== 'subject').map((c) => c.value));

  const kept = all.filter(
    (c) =>
      c.distance <= KEYWORD_WINDOW ||
      c.value === loneSixDigit ||
      (subjectAnnounces && c.source !== 'subject' && bodyValues.size <= 2),
  );
  kept.sort((a, b) => score(b) - score(a) || a.order - b.order);

  const result: ExtractedCode[] = [];
  const seen = new Set<string>();
  for (const c of kept) {
    const key = `${c.source} ${c.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ value: c.value, source: c.source, context: contextOf(c) });
    if (result.length >= MAX_CODES) break;
  }
  return result;
}
