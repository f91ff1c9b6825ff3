// Purged mail is gone from the SQLite file, not only from its tables (#14 item 9): the bytes of a
// purged message are found neither in the database file's free pages nor in its WAL. SQLite
// only: the test server runs on its own data folder whatever INBOXD_TEST_PAIR says.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
const clock = new ManualClock();
const dir = mkdtempSync(join(tmpdir(), 'inboxd-secure-delete-'));
beforeAll(async () => {
  s = await startTestServer({ data_dir: dir, retention: 60 }, { clock });
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function fileHolds(marker: string): boolean {
  const needle = Buffer.from(marker);
  return ['inboxd.db', 'inboxd.db-wal'].some((f) => existsSync(join(dir, f)) && readFileSync(join(dir, f)).includes(needle));
}

describe('SQLite purge', () => {
  it('leaves no byte of a purged message in the database file or its WAL', async () => {
    const { address, token } = await s.anonymousMailbox();
    const marker = `secret-${Date.now()}-QmFzZTY0IGlzIG5vdCBlbmNyeXB0aW9u`;
    await s.send({ to: address, subject: marker, text: `${marker}\n`.repeat(200) });
    expect(fileHolds(marker)).toBe(true);
    expect((await s.api('DELETE', `/api/v1/mailboxes/${address}`, { token })).status).toBe(204);
    clock.advance(61_000);
    const swept = await s.inboxd.sweeper!.tick();
    expect(swept.purgedMessages).toBe(1);
    expect(fileHolds(marker)).toBe(false);
  });
});
