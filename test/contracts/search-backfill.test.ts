// Migration 0006 indexes the messages stored before it (issue #16 item 3): a database holding mail
// without the search index (0006 undone by hand) is migrated, and search finds the old mail, scoped
// to its owner, on both stores. Then a message inserted afterwards is indexed by the insert itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../src/core/search-query.js';
import type { NewMessage, Store } from '../../src/core/store.js';
import type { MessageContent } from '../../src/core/types.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { describeScale, useFreshSchema } from '../support/scale-env.js';

const NOW = Date.now();

function message(mailboxId: string, subject: string, text: string, receivedAt = NOW): NewMessage {
  const content = {
    from: { name: 'Shop', address: 'shop@example.com' },
    to: [{ name: '', address: 'x@inboxd.test' }],
    cc: [],
    subject,
    messageIdHeader: null,
    date: null,
    bodyText: text,
    bodyHtml: null,
    headers: [],
    attachments: [],
    codes: [],
    links: [],
    parseError: null,
  } as unknown as MessageContent;
  return { mailboxId, tag: null, receivedAt, size: 1, source: 'smtp', envelopeFrom: null, verdicts: null, content, raw: Buffer.from('x'), maxMessages: -1, now: NOW };
}

/** stores mail in two owners' mailboxes, undoes 0006 with `undo`, migrates again, and searches. */
async function backfills(store: Store, undo: () => Promise<void>): Promise<void> {
  await store.migrate();
  const box = (owner: string) =>
    store.createMailbox(
      { address: `${owner}-${NOW}@inboxd.test`, domain: 'inboxd.test', ownerType: 'api', ownerId: owner, tokenHash: null, plan: 'free', group: null, expiresAt: NOW + 3_600_000 },
      { now: NOW, maxMailboxes: -1, quarantineMs: 0 },
    );
  const mine = await box(`alice${NOW}`);
  const theirs = await box(`bob${NOW}`);
  await store.insertMessages([message(mine.id, 'Old invoice 1001', 'stored before search existed'), message(theirs.id, 'Old invoice 2002', 'not yours')]);
  await undo();
  await store.migrate();

  const search = async (q: string) =>
    (await store.searchMessages({ ownerId: mine.ownerId, ownerTypes: ['api'] }, parseSearchQuery(q, NOW), { limit: 10, offset: 0 }, NOW)).map((m) => m.subject);
  expect(await search('invoice')).toEqual(['Old invoice 1001']);
  expect(await search('"before search"')).toEqual(['Old invoice 1001']);
  expect(await search('from:shop@example.com')).toEqual(['Old invoice 1001']);
  await store.insertMessages([message(mine.id, 'New invoice 1002', 'after the migration', NOW + 1000)]);
  expect(await search('invoice')).toEqual(['New invoice 1002', 'Old invoice 1001']);
}

describe('migration 0006 on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inboxd-backfill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('indexes the messages stored before it', async () => {
    const file = join(dir, 'inboxd.db');
    const store = new SqliteStore({ file, synchronous: 'full' });
    try {
      await backfills(store, async () => {
        const raw = new Database(file);
        raw.exec('DROP TRIGGER messages_fts_delete; DROP TABLE messages_fts; DELETE FROM schema_migrations WHERE version IN (6, 8);');
        raw.close();
      });
    } finally {
      await store.close();
    }
  });
});

describeScale('INBOXD_TEST_DATABASE_URL', 'migration 0006 on PostgreSQL', (urls) => {
  const url = urls.INBOXD_TEST_DATABASE_URL;
  const schema = useFreshSchema(url);
  it('indexes the messages stored before it', async () => {
    const store = await createPostgresStore({ url, poolSize: 2, schema });
    try {
      await backfills(store, async () => {
        const raw = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
        await raw.connect();
        await raw.query(
          'DROP TABLE message_search; DROP FUNCTION search_doc(text, text, text, text, text, text); DROP FUNCTION search_scope(text, text); ' +
            'DROP FUNCTION search_addresses(text); DROP FUNCTION search_text(text); DELETE FROM schema_migrations WHERE version = 6;',
        );
        await raw.end();
      });
    } finally {
      await store.close();
    }
  });
});
