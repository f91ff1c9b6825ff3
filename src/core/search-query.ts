/**
 * The search language of `GET /api/v1/messages?query=…` (issue #16 item 3), close to Mailpit's:
 * free words (subject and text), `from:`, `to:`, `subject:`, `has:attachment`, `is:read`,
 * `is:unread`, `after:` / `before:` (a date, a time or a duration such as `2h`), "quoted
 * phrases", and `-` before any term to negate it. Every term must hold (AND). Words match whole
 * words (case-insensitive); `word*` matches words that start with it.
 *
 * This file only parses text into a typed AST; each store compiles the AST into its own index
 * query (`store/sqlite/search.ts`: FTS5; `store/postgres/search.ts`: tsvector). Pure.
 *
 * Words are cut into tokens here, once, the way both indexes cut the documents (letters, digits
 * and combining marks; everything else separates), so both stores look for the same tokens.
 */
import { DomainError } from './errors.js';

/** the message fields a text term can look in. */
export type TextField = 'text' | 'from' | 'to' | 'subject';

export type SearchTerm =
  | {
      kind: 'text';
      /** `text`: subject or body (a free word); the others: that field only. */
      field: TextField;
      /** lower-cased tokens, in order: they must appear together, in this order. */
      tokens: string[];
      /**
       * the last token may be the start of a longer word (the term ended with `*`). Otherwise
       * whole words only: a prefix reads every indexed word that starts with it, which on a
       * short prefix is most of the index, so it is asked for, never implied.
       */
      prefix: boolean;
      negated: boolean;
    }
  | { kind: 'has_attachment'; negated: boolean }
  | { kind: 'read'; read: boolean; negated: boolean }
  /** received at or after (`after`) / before (`before`) `at` (ms since the epoch). */
  | { kind: 'received'; op: 'after' | 'before'; at: number; negated: boolean };

/** a parsed query: every term must hold; no terms = every message in reach. */
export interface SearchQuery {
  terms: SearchTerm[];
}

export const MAX_QUERY_LENGTH = 1000;
export const MAX_QUERY_TERMS = 20;
/** tokens per text term: a pasted paragraph is not a query. */
export const MAX_TERM_TOKENS = 16;

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** the index tokens of `text`: runs of letters, digits and marks, lower-cased (NFC). */
export function searchTokens(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(TOKEN) ?? [];
}

const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;
const DURATION_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

function bad(message: string, position: number): DomainError {
  return new DomainError('invalid_query', message, { position });
}

/**
 * `2h` (that long before now), `2026-11-30` (midnight UTC), or an ISO 8601 date-time (UTC when it
 * names no offset).
 */
function parseWhen(value: string, now: number, position: number): number {
  const d = DURATION.exec(value.toLowerCase());
  if (d) return now - Number(d[1]) * DURATION_MS[d[2]!]!;
  if (DATE_ONLY.test(value) || DATE_TIME.test(value)) {
    const day = value.slice(0, 10);
    const midnight = Date.parse(`${day}T00:00:00Z`);
    // Date.parse rolls 2026-02-31 over to March: a day that does not exist is a typo, not a date
    const real = Number.isFinite(midnight) && new Date(midnight).toISOString().slice(0, 10) === day;
    const at = DATE_ONLY.test(value) ? midnight : Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
    if (real && Number.isFinite(at)) return at;
  }
  throw bad(`"${value}" is not a date (2026-11-30, 2026-11-30T14:00:00Z) or a duration (30m, 2h, 3d, 1w)`, position);
}

interface Lexeme {
  negated: boolean;
  /** the operator before ':' (lower-cased), when the term has a known one. */
  op: string | null;
  value: string;
  quoted: boolean;
  /** ended with `*` (after the closing quote of a phrase, or at the end of a word). */
  star: boolean;
  position: number;
}

const OPERATORS = new Set(['from', 'to', 'subject', 'has', 'is', 'after', 'before']);

/** splits the query into terms: whitespace separates, except inside double quotes. */
function lex(query: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < query.length) {
    if (/\s/.test(query[i]!)) {
      i++;
      continue;
    }
    const position = i;
    let negated = false;
    if (query[i] === '-' && i + 1 < query.length && !/\s/.test(query[i + 1]!)) {
      negated = true;
      i++;
    }
    let op: string | null = null;
    const head = /^([A-Za-z]+):/.exec(query.slice(i));
    if (head && OPERATORS.has(head[1]!.toLowerCase())) {
      op = head[1]!.toLowerCase();
      i += head[0].length;
    }
    let value = '';
    let quoted = false;
    if (query[i] === '"') {
      const end = query.indexOf('"', i + 1);
      if (end < 0) throw bad('a quote is not closed', i);
      value = query.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else {
      while (i < query.length && !/\s/.test(query[i]!)) value += query[i++];
    }
    let star = false;
    if (quoted && query[i] === '*') {
      star = true;
      i++;
    } else if (!quoted && value.endsWith('*')) {
      star = true;
      value = value.replace(/\*+$/, '');
    }
    if (op !== null && value === '') throw bad(`${op}: needs a value`, position);
    out.push({ negated, op, value, quoted, star, position });
  }
  return out;
}

function textTerm(field: TextField, l: Lexeme): SearchTerm {
  const tokens = searchTokens(l.value);
  if (tokens.length === 0) throw bad(`"${l.value}" has no letter or digit to search for`, l.position);
  if (tokens.length > MAX_TERM_TOKENS) throw bad(`a term may hold at most ${MAX_TERM_TOKENS} words`, l.position);
  return { kind: 'text', field, tokens, prefix: l.star, negated: l.negated };
}

/**
 * parses a search query. `now` anchors durations (`after:2h` = received in the last two hours).
 * @throws DomainError invalid_query (details.position: where in the query) for an unclosed quote,
 *   an operator without a value, an unknown `has:`/`is:` value, a date that is neither a date nor
 *   a duration, a term with nothing to search for, or a query over the length or term limits
 */
export function parseSearchQuery(query: string, now: number): SearchQuery {
  if (query.length > MAX_QUERY_LENGTH) throw bad(`a query may be at most ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  const lexemes = lex(query);
  if (lexemes.length > MAX_QUERY_TERMS) throw bad(`a query may hold at most ${MAX_QUERY_TERMS} terms`, lexemes[MAX_QUERY_TERMS]!.position);
  // a free word of punctuation only ("a - b") has nothing to look for; it is skipped, not refused
  const meaningful = lexemes.filter((l) => l.op !== null || l.quoted || searchTokens(l.value).length > 0);
  const terms = meaningful.map((l): SearchTerm => {
    switch (l.op) {
      case null:
        return textTerm('text', l);
      case 'from':
      case 'to':
      case 'subject':
        return textTerm(l.op, l);
      case 'has':
        if (!/^attachments?$/i.test(l.value)) throw bad(`has:${l.value} is unknown (has:attachment)`, l.position);
        return { kind: 'has_attachment', negated: l.negated };
      case 'is':
        if (!/^(read|unread)$/i.test(l.value)) throw bad(`is:${l.value} is unknown (is:read, is:unread)`, l.position);
        return { kind: 'read', read: l.value.toLowerCase() === 'read', negated: l.negated };
      case 'after':
      case 'before':
        return { kind: 'received', op: l.op, at: parseWhen(l.value, now, l.position), negated: l.negated };
      default:
        throw bad(`unknown operator ${l.op}:`, l.position);
    }
  });
  return { terms };
}
