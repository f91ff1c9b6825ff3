// The SQLite store's WAL checkpoints run in a worker thread (store/sqlite/checkpointer.ts), not
// in the commits on the event loop: committed mail reaches the database file with no checkpoint
// on the store's own connection, the WAL stays bounded however much is written, and closing
// the store still removes the WAL (the worker's connection closes first).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { NewMessage } from '../../src/core/store.js';
import type { MessageContent } from '../../src/core/types.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';

const NOW = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'inboxd-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function message(mailboxId: string, marker: string, bytes: number): NewMessage {
  const content = {
    from: { name: 'Shop', address: 'shop@example.com' }, to: [], cc: [], subject: marker, messageIdHeader: null, date: null,
    bodyText: marker, bodyHtml: `<p>${marker}</p>${'x'.repeat(bytes)}`, headers: [], attachments: [], codes: [], links: [], parseError: null,
  } as MessageContent;
  return { mailboxId, tag: null, receivedAt: NOW, size: bytes, source: 'smtp', envelopeFrom: null, verdicts: null, content, raw: Buffer.alloc(bytes, 'r'), maxMessages: -1, now: NOW };
}

describe('SQLite checkpoints in a worker', () => {
  it('bring committed mail into the database file, keep the WAL bounded and remove it on close', async () => {
    const file = join(dir, 'inboxd.db');
    // a bound of 1 MB instead of 16, so that a few MB of mail cross it several times
    const maxWalFrames = 256;
    const store = new SqliteStore({ file, synchronous: 'full', maxWalFrames });
    await store.migrate();
    const box = await store.createMailbox(
      { address: `ckpt-${NOW}@inboxd.test`, domain: 'inboxd.test', ownerType: 'anonymous', ownerId: 'ckpt', tokenHash: null, plan: 'free', group: null, expiresAt: NOW + 3_600_000 },
      { now: NOW, maxMailboxes: -1, quarantineMs: 0 },
    );
    const walLimit = maxWalFrames * 4096;
    let largestWal = 0;
    // 40 MB, 40 times the bound, 8 deliveries (1 MB) per group commit
    for (let g = 0; g < 40; g++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.insertMessages([message(box.id, `bulk-${g}-${i}`, 64 * 1024)])));
      largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
    }
    // the bound plus what is written while the worker's pass runs (its syncs included): 7-8 MB
    // on a loaded two-core machine with mail written as fast as the store can; not the 40 MB
    // that an unbounded WAL would reach
    expect(largestWal).toBeLessThan(walLimit * 16);

    const marker = `landed-${NOW}-in-the-file`;
    await store.insertMessages([message(box.id, marker, 1024)]);
    await vi.waitFor(() => expect(readFileSync(file).includes(Buffer.from(marker))).toBe(true), { timeout: 10_000, interval: 50 });

    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
