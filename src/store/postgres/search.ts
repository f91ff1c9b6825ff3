/**
 * Compiles a search AST (core/search-query.ts) into PostgreSQL: the text terms become one
 * tsquery on `message_search.doc` (migration 0006; the weights name the field: A subject, B
 * sender, C To/Cc, D text), the scope a condition on message_search's mailbox or owner, the
 * others plain predicates on `messages`. Pure: the SQL fragments
 * and their parameters, for `PostgresStore.searchMessages`. The SQLite twin is
 * `store/sqlite/search.ts`.
 */
import type { SearchTerm, TextField } from '../../core/search-query.js';
import type { SearchScope } from '../../core/store.js';

const WEIGHTS: Record<TextField, string> = { text: 'AD', from: 'B', to: 'C', subject: 'A' };

/** one text term as a tsquery: the tokens in a row (<->), the last one a prefix when asked (`word*`). */
function tsPhrase(t: Extract<SearchTerm, { kind: 'text' }>): string {
  const w = WEIGHTS[t.field];
  const lexemes = t.tokens.map((tok, i) => {
    // tokens hold letters, digits and marks only; quoting keeps any text one lexeme
    const quoted = `'${tok.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
    return `${quoted}:${t.prefix && i === t.tokens.length - 1 ? '*' : ''}${w}`;
  });
  return `(${lexemes.join(' <-> ')})`;
}

/** the scope lexeme migration 0006 writes for each message: `m<mailbox id>` or `o<hex of the owner id>`. */
export function scopeLexeme(scope: SearchScope): string {
  return 'mailboxId' in scope ? `m${scope.mailboxId}` : `o${Buffer.from(scope.ownerId, 'utf8').toString('hex')}`;
}

export interface CompiledSearch {
  /** conditions on `s` = message_search (scope, liveness of its mailbox, words, time). */
  where: string[];
  /** conditions on `m` = messages (read state, attachments); empty when none is asked for. */
  messageWhere: string[];
  args: unknown[];
}

/**
 * the conditions for `terms` within `scope` at `now`. Everything but the read state and the
 * attachments is on message_search, so the store can pick a page there before it reads a
 * single message row.
 */
export function compilePostgresSearch(scope: SearchScope, terms: SearchTerm[], now: number): CompiledSearch {
  const where: string[] = [];
  const messageWhere: string[] = [];
  const args: unknown[] = [];
  const p = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  // the scope on message_search's own columns (their (scope, received_at) indexes walk newest
  // first), and only the live mailboxes in it
  const live = `b.active AND b.deleted_at IS NULL AND b.expires_at > ${p(now)}`;
  if ('mailboxId' in scope) {
    const id = p(scope.mailboxId);
    where.push(`s.mailbox_id = ${id} AND EXISTS (SELECT 1 FROM mailboxes b WHERE b.id = ${id} AND ${live})`);
  } else {
    const owner = p(scope.ownerId);
    where.push(`s.owner_id = ${owner} AND s.mailbox_id IN (SELECT b.id FROM mailboxes b WHERE b.owner_id = ${owner} AND b.owner_type = ANY(${p(scope.ownerTypes)}::text[]) AND ${live})`);
  }

  const text = terms.flatMap((t) => (t.kind === 'text' ? [`${t.negated ? '!' : ''}${tsPhrase(t)}`] : []));
  // the scope lexeme first (migration 0006's search_scope): GIN reads the caller's postings, not every owner's
  if (text.length > 0) where.push(`s.doc @@ to_tsquery('simple', ${p([`'${scopeLexeme(scope)}'`, ...text].join(' & '))})`);

  for (const t of terms) {
    if (t.kind === 'has_attachment') messageWhere.push(t.negated ? "m.attachments_json = '[]'" : "m.attachments_json <> '[]'");
    else if (t.kind === 'read') messageWhere.push(t.read !== t.negated ? 'm.is_read' : 'NOT m.is_read');
    else if (t.kind === 'received') where.push(`s.received_at ${(t.op === 'after') !== t.negated ? '>=' : '<'} ${p(t.at)}`);
  }
  return { where, messageWhere, args };
}
