/**
 * Message filters for waits and lists: from / subject / body "contains" (case-insensitive) and a
 * client-supplied `pattern`. Client patterns run in RE2 (re2js: linear time, no backtracking), so
 * a hostile pattern cannot stall the server.
 */
import { RE2JS } from 're2js';
import { DomainError } from './errors.js';
import type { Message } from './types.js';

export interface MessageFilter {
  from?: string | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  /** RE2 syntax, matched against the subject and the text body. */
  pattern?: string | undefined;
}

export const MAX_PATTERN_LENGTH = 1000;
/** only this much of a body is searched: bounds the cost of one check on a 25 MB message. */
const MAX_SEARCH_CHARS = 1_000_000;

const lower = (s: string | null | undefined) => (s ?? '').slice(0, MAX_SEARCH_CHARS).toLowerCase();

/**
 * compiles a filter once; the returned predicate is cheap to call per message.
 * @throws DomainError invalid_input for a pattern RE2 cannot compile or one that is too long.
 */
export function compileFilter(f: MessageFilter): (m: Message) => boolean {
  const explain = explainFilter(f);
  return (m) => explain(m).length === 0;
}

/** a filter criterion by its query name. */
export type FilterName = 'from' | 'subject' | 'body' | 'pattern';

/**
 * compiles a filter into "which criteria does this message fail" (empty = it matches): a timed-out
 * wait names, for each near miss, the filter that turned it away.
 * @throws DomainError as compileFilter
 */
export function explainFilter(f: MessageFilter): (m: Message) => FilterName[] {
  let re: RE2JS | null = null;
  if (f.pattern !== undefined && f.pattern !== '') {
    if (f.pattern.length > MAX_PATTERN_LENGTH) throw new DomainError('invalid_input', `pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    try {
      re = RE2JS.compile(f.pattern, RE2JS.CASE_INSENSITIVE);
    } catch (err) {
      throw new DomainError('invalid_input', `pattern is not a valid RE2 expression: ${(err as Error).message}`);
    }
  }
  const from = f.from ? f.from.toLowerCase() : null;
  const subject = f.subject ? f.subject.toLowerCase() : null;
  const body = f.body ? f.body.toLowerCase() : null;
  return (m) => {
    const failed: FilterName[] = [];
    if (from && !`${lower(m.from?.address)} ${lower(m.from?.name)}`.includes(from)) failed.push('from');
    if (subject && !lower(m.subject).includes(subject)) failed.push('subject');
    const text = body || re ? (m.bodyText ?? '').slice(0, MAX_SEARCH_CHARS) : '';
    if (body && !text.toLowerCase().includes(body) && !lower(m.bodyHtml).includes(body)) failed.push('body');
    if (re && !re.matcher(m.subject ?? '').find() && !re.matcher(text).find()) failed.push('pattern');
    return failed;
  };
}

/** true when no criterion is set. */
export function isEmptyFilter(f: MessageFilter): boolean {
  return !f.from && !f.subject && !f.body && !f.pattern;
}
