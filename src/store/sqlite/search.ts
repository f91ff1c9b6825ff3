/**
 * Compiles a search AST (core/search-query.ts) into SQLite: the text terms become one FTS5 MATCH
 * on `messages_fts` (migration 0006), the others plain predicates on `messages`. Pure: the SQL
 * fragments and their parameters, for `SqliteStore.searchMessages` to run. The PostgreSQL twin is
 * `store/postgres/search.ts`.
 */
import type { SearchTerm, TextField } from '../../core/search-query.js';
import type { SearchScope } from '../../core/store.js';

const COLUMNS: Record<TextField, string> = {
  text: '{subject body}',
  from: 'sender',
  to: 'recipients',
  subject: 'subject',
};

/** one text term as an FTS5 expression: a column filter on a phrase, the last token a prefix unless quoted. */
function ftsPhrase(t: Extract<SearchTerm, { kind: 'text' }>): string {
  // tokens hold letters, digits and marks only, but a quote doubled keeps any text a string
  const phrase = `"${t.tokens.map((w) => w.replaceAll('"', '""')).join(' ')}"${t.exact ? '' : ' *'}`;
  return `${COLUMNS[t.field]} : ${phrase}`;
}

export interface CompiledSearch {
  where: string[];
  args: unknown[];
}

/** the WHERE conditions (on `m` = messages, `b` = mailboxes) for `terms` within `scope` at `now`. */
export function compileSqliteSearch(scope: SearchScope, terms: SearchTerm[], now: number): CompiledSearch {
  const where: string[] = [];
  const args: unknown[] = [];
  if ('mailboxId' in scope) {
    where.push('m.mailbox_id = ?');
    args.push(scope.mailboxId);
  } else {
    where.push(`b.owner_id = ? AND b.owner_type IN (${scope.ownerTypes.map(() => '?').join(', ')})`);
    args.push(scope.ownerId, ...scope.ownerTypes);
  }
  where.push('b.active = 1 AND b.deleted_at IS NULL AND b.expires_at > ?');
  args.push(now);

  const text = terms.filter((t) => t.kind === 'text');
  const positive = text.filter((t) => !t.negated).map(ftsPhrase);
  const negative = text.filter((t) => t.negated).map(ftsPhrase);
  if (positive.length > 0) {
    // FTS5's NOT is binary: (a AND b) NOT (c) NOT (d)
    where.push('m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    args.push([`(${positive.map((p) => `(${p})`).join(' AND ')})`, ...negative.map((n) => `(${n})`)].join(' NOT '));
  } else if (negative.length > 0) {
    where.push('m.rowid NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    args.push(negative.map((n) => `(${n})`).join(' OR '));
  }

  for (const t of terms) {
    if (t.kind === 'has_attachment') where.push(t.negated ? "m.attachments_json = '[]'" : "m.attachments_json <> '[]'");
    else if (t.kind === 'read') where.push(`m.is_read = ${t.read !== t.negated ? 1 : 0}`);
    else if (t.kind === 'received') {
      const after = (t.op === 'after') !== t.negated;
      where.push(after ? 'm.received_at >= ?' : 'm.received_at < ?');
      args.push(t.at);
    }
  }
  return { where, args };
}
