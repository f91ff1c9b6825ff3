// The search index rows the SQLite store writes itself (store/sqlite/search-index.ts, migration
// 0008) hold what migration 0006's insert trigger wrote: each column is compared with the
// trigger's own SQL expression, evaluated by SQLite on the same message, so search finds the
// same mail as before the trigger was dropped.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AddressValue, MessageContent } from '../../src/core/types.js';
import { indexRow } from '../../src/store/sqlite/search-index.js';

/** the columns 0006's trigger computed, from its SQL (new.* = the bound values). */
const TRIGGER_COLUMNS = `SELECT
  @subject AS subject,
  substr(@body, 1, 32000) AS body,
  CASE WHEN @from_json IS NULL THEN NULL
    ELSE coalesce(json_extract(@from_json, '$.name'), '') || ' ' || coalesce(json_extract(@from_json, '$.address'), '') END AS sender,
  (SELECT group_concat(coalesce(json_extract(value, '$.name'), '') || ' ' || coalesce(json_extract(value, '$.address'), ''), ' ')
     FROM (SELECT value FROM json_each(@to_json) UNION ALL SELECT value FROM json_each(@cc_json))) AS recipients,
  'm' || @mailbox || ' o' || hex(@owner) AS scope`;

const a = (name: string, address: string): AddressValue => ({ name, address });

function content(c: Partial<MessageContent>): MessageContent {
  return {
    from: null, to: [], cc: [], subject: null, messageIdHeader: null, date: null, bodyText: null, bodyHtml: null,
    headers: [], attachments: [], codes: [], links: [], parseError: null, ...c,
  };
}

const astral = '😀é'.repeat(20_000); // surrogate pairs past the 32,000-character cut
const cases: [string, MessageContent, string][] = [
  ['a plain message', content({ from: a('Shop', 'shop@example.com'), to: [a('', 'me@inboxd.test')], subject: 'Invoice 1001', bodyText: 'Thanks' }), 'alice'],
  ['no sender, no recipients, no body', content({}), 'bob'],
  ['To and Cc in order', content({ to: [a('A One', 'a@x.test'), a('B', 'b@x.test')], cc: [a('C', 'c@x.test')], subject: 'x' }), 'carol'],
  ['Cc only', content({ cc: [a('Only Cc', 'cc@x.test')], bodyText: '' }), 'dave'],
  ['a long body with astral characters', content({ from: a('Émile', 'é@x.test'), bodyText: astral }), 'ünïcode-owner'],
  ['a body of exactly the cut', content({ bodyText: 'x'.repeat(32_000) }), 'o'],
  ['a lone surrogate', content({ bodyText: `${'y'.repeat(31_999)}\ud83dz${'w'.repeat(10)}` }), 'o'],
];

describe('SQLite search index rows', () => {
  const db = new Database(':memory:');
  const trigger = db.prepare(TRIGGER_COLUMNS);

  for (const [name, c, owner] of cases) {
    it(`match the dropped trigger's: ${name}`, () => {
      const expected = trigger.get({
        subject: c.subject,
        body: c.bodyText,
        from_json: c.from ? JSON.stringify(c.from) : null,
        to_json: JSON.stringify(c.to),
        cc_json: JSON.stringify(c.cc),
        mailbox: 'MBX1',
        owner,
      });
      // both go through SQLite's text conversion, as the stored rows do
      const [, subject, body, sender, recipients, scope] = indexRow(7, c, 'MBX1', owner);
      const actual = db.prepare('SELECT ? AS subject, ? AS body, ? AS sender, ? AS recipients, ? AS scope').get(subject, body, sender, recipients, scope);
      expect(actual).toEqual(expected);
    });
  }
});
