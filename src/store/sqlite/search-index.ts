/**
 * What the SQLite search index (`messages_fts`, migration 0006) holds for one message, and the
 * write of a group's rows. Migration 0008 replaced the insert trigger with this: FTS5 writes its
 * pending rows to disk as a new segment at every statement savepoint (SQLite opens one for each
 * INSERT inside a transaction), so a trigger row per message cost a segment, and its merges, per
 * message. One INSERT per group after the messages keeps the rows pending until the COMMIT: one
 * segment per group. The columns are the trigger's, computed here instead of with json_extract.
 * Not here: the search itself (`search.ts`), the delete (still a trigger).
 */
import type Database from 'better-sqlite3';
import type { AddressValue, MessageContent } from '../../core/types.js';

/** one message's index row: rowid = its `messages` rowid. */
export type IndexRow = [rowid: number | bigint, subject: string | null, body: string | null, sender: string | null, recipients: string | null, scope: string];

/** the body's first characters that are indexed: the index write per message stays bounded. */
const BODY_CHARS = 32_000;

/** `s` cut to its first `n` characters as SQLite's substr counts them (code points, not UTF-16 units). */
export function firstChars(s: string, n: number): string {
  if (s.length <= n) return s;
  let i = 0;
  for (let count = 0; count < n && i < s.length; count++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

const person = (a: AddressValue) => `${a.name ?? ''} ${a.address ?? ''}`;

/** the index row of a message stored in mailbox `mailboxId` owned by `ownerId`. */
export function indexRow(rowid: number | bigint, c: MessageContent, mailboxId: string, ownerId: string): IndexRow {
  const people = c.cc.length === 0 ? c.to : [...c.to, ...c.cc];
  return [
    rowid,
    c.subject,
    c.bodyText === null ? null : firstChars(c.bodyText, BODY_CHARS),
    c.from ? person(c.from) : null,
    people.length === 0 ? null : people.map(person).join(' '),
    // search.ts scopeToken: `m<mailbox id>` and `o<hex of the owner id>` (the tokenizer folds case)
    `m${mailboxId} o${Buffer.from(ownerId, 'utf8').toString('hex').toUpperCase()}`,
  ];
}

/** rows per statement: a group of n is written in at most log2(n) statements, each cached. */
const CHUNKS = [32, 16, 8, 4, 2, 1];

/** writes `rows` with as few INSERT statements as the chunk sizes allow (see the file comment). */
export function writeIndexRows(rows: IndexRow[], statement: (text: string) => Database.Statement): void {
  let at = 0;
  for (const size of CHUNKS) {
    while (rows.length - at >= size) {
      const text = `INSERT INTO messages_fts (rowid, subject, body, sender, recipients, scope) VALUES ${Array(size).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`;
      statement(text).run(rows.slice(at, at + size).flat());
      at += size;
    }
  }
}
