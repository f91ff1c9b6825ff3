/**
 * Compiles a search AST (core/search-query.ts) into SQLite: one FTS5 MATCH on `messages_fts`
 * (migration 0006) that always holds the caller's scope token (`m<mailbox id>` or `o<hex owner
 * id>`) and every text term, plus plain predicates on `messages` for the rest. The store reads
 * the FTS table newest first (rowid DESC), so a common word stops after one page and another
 * owner's mail is never walked. Pure: the MATCH text, the SQL conditions and their parameters.
 * The PostgreSQL twin is `store/postgres/search.ts`.
 */
import type { SearchTerm, TextField } from '../../core/search-query.js';
import type { SearchScope } from '../../core/store.js';

const COLUMNS: Record<TextField, string> = {
  text: '{subject body}',
  from: 'sender',
  to: 'recipients',
  subject: 'subject',
};

/** an FTS5 string: a quote doubled keeps any text one string (tokens hold letters and digits anyway). */
const ftsString = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** one text term as an FTS5 expression: a column filter on a phrase, the last token a prefix when asked (`word*`). */
function ftsPhrase(t: Extract<SearchTerm, { kind: 'text' }>): string {
  return `${COLUMNS[t.field]} : ${ftsString(t.tokens.join(' '))}${t.prefix ? ' *' : ''}`;
}

/** the scope token the migration writes for each message (0006: `m<mailbox id> o<hex owner id>`). */
export function scopeToken(scope: SearchScope): string {
  return 'mailboxId' in scope ? `m${scope.mailboxId}` : `o${Buffer.from(scope.ownerId, 'utf8').toString('hex')}`;
}

export interface CompiledSearch {
  /** the FTS5 query: scope AND every positive term, NOT each negated one. */
  match: string;
  /** conditions on `m` = messages and `b` = mailboxes. */
  where: string[];
  args: unknown[];
}

/** the MATCH and the WHERE conditions for `terms` within `scope` at `now`. */
export function compileSqliteSearch(scope: SearchScope, terms: SearchTerm[], now: number): CompiledSearch {
  const where: string[] = [];
  const args: unknown[] = [];
  // the index narrows by its scope token; the mailbox row decides (owner type, state, expiry)
  if ('mailboxId' in scope) {
    where.push('b.id = ?');
    args.push(scope.mailboxId);
  } else {
    where.push(`b.owner_id = ? AND b.owner_type IN (${scope.ownerTypes.map(() => '?').join(', ')})`);
    args.push(scope.ownerId, ...scope.ownerTypes);
  }
  where.push('b.active = 1 AND b.deleted_at IS NULL AND b.expires_at > ?');
  args.push(now);

  const text = terms.filter((t) => t.kind === 'text');
  const positive = [`scope : ${ftsString(scopeToken(scope))}`, ...text.filter((t) => !t.negated).map(ftsPhrase)];
  const negative = text.filter((t) => t.negated).map(ftsPhrase);
  // FTS5's NOT is binary and left-associative: (a AND b) NOT (c) NOT (d)
  const match = [`(${positive.map((p) => `(${p})`).join(' AND ')})`, ...negative.map((n) => `(${n})`)].join(' NOT ');

  for (const t of terms) {
    if (t.kind === 'has_attachment') where.push(t.negated ? "m.attachments_json = '[]'" : "m.attachments_json <> '[]'");
    else if (t.kind === 'read') where.push(`m.is_read = ${t.read !== t.negated ? 1 : 0}`);
    else if (t.kind === 'received') {
      const after = (t.op === 'after') !== t.negated;
      where.push(after ? 'm.received_at >= ?' : 'm.received_at < ?');
      args.push(t.at);
    }
  }
  return { match, where, args };
}
