/**
 * Compiles a search AST (core/search-query.ts) into PostgreSQL: the text terms become one
 * tsquery on `message_search.doc` (migration 0006; the weights name the field: A subject, B
 * sender, C To/Cc, D text), the others plain predicates on `messages`. Pure: the SQL fragments
 * and their parameters, for `PostgresStore.searchMessages`. The SQLite twin is
 * `store/sqlite/search.ts`.
 */
import type { SearchTerm, TextField } from '../../core/search-query.js';
import type { SearchScope } from '../../core/store.js';

const WEIGHTS: Record<TextField, string> = { text: 'AD', from: 'B', to: 'C', subject: 'A' };

/** one text term as a tsquery: the tokens in a row (<->), the last one a prefix unless quoted. */
function tsPhrase(t: Extract<SearchTerm, { kind: 'text' }>): string {
  const w = WEIGHTS[t.field];
  const lexemes = t.tokens.map((tok, i) => {
    // tokens hold letters, digits and marks only; quoting keeps any text one lexeme
    const quoted = `'${tok.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
    return `${quoted}:${!t.exact && i === t.tokens.length - 1 ? '*' : ''}${w}`;
  });
  return `(${lexemes.join(' <-> ')})`;
}

export interface CompiledSearch {
  where: string[];
  args: unknown[];
}

/** the WHERE conditions (on `m` = messages, `b` = mailboxes, `s` = message_search) for `terms` within `scope` at `now`. */
export function compilePostgresSearch(scope: SearchScope, terms: SearchTerm[], now: number): CompiledSearch {
  const where: string[] = [];
  const args: unknown[] = [];
  const p = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  if ('mailboxId' in scope) where.push(`m.mailbox_id = ${p(scope.mailboxId)}`);
  else where.push(`b.owner_id = ${p(scope.ownerId)} AND b.owner_type = ANY(${p(scope.ownerTypes)}::text[])`);
  where.push(`b.active AND b.deleted_at IS NULL AND b.expires_at > ${p(now)}`);

  const text = terms.flatMap((t) => (t.kind === 'text' ? [`${t.negated ? '!' : ''}${tsPhrase(t)}`] : []));
  if (text.length > 0) where.push(`s.doc @@ to_tsquery('simple', ${p(text.join(' & '))})`);

  for (const t of terms) {
    if (t.kind === 'has_attachment') where.push(t.negated ? "m.attachments_json = '[]'" : "m.attachments_json <> '[]'");
    else if (t.kind === 'read') where.push(t.read !== t.negated ? 'm.is_read' : 'NOT m.is_read');
    else if (t.kind === 'received') where.push(`m.received_at ${(t.op === 'after') !== t.negated ? '>=' : '<'} ${p(t.at)}`);
  }
  return { where, args };
}
