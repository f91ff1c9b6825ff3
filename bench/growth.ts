/**
 * growth: create-mailbox throughput over HTTP, then list-messages latency and server RSS with
 * 10k, 100k and 1M messages stored (embedded pair). Rows are seeded fast through the store
 * interface (`insertMessages` in batches of 5,000, one transaction each) while no server runs;
 * then a fresh `inboxd serve` on that file answers 300 list requests for one mailbox (newest 50,
 * and the 50 after a seq near the end). The cost must stay flat as the data grows.
 * Options: --sizes 10000,100000,1000000  --requests N (300).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { hashSecret } from '../src/core/tokens.js';
import type { MessageContent } from '../src/core/types.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { NewMessage } from '../src/core/store.js';
import { options, printTable, round, rssOf, startInboxdTarget, summary, writeResults } from './lib.js';

const MAILBOXES = 100;

function content(i: number): MessageContent {
  return {
    from: { name: 'Shop', address: 'shop@example.com' },
    to: [{ name: '', address: 'x@inboxd.test' }],
    cc: [],
    subject: `seeded ${i}`,
    messageIdHeader: `<s${i}@example.com>`,
    date: null,
    bodyText: `Your code is ${100000 + (i % 900000)}.`,
    bodyHtml: null,
    headers: [{ key: 'subject', value: `seeded ${i}` }],
    attachments: [],
    codes: [{ value: String(100000 + (i % 900000)), source: 'text', context: 'Your code is' }],
    links: [],
    parseError: null,
  } as unknown as MessageContent;
}

async function timeRequests(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { 'x-session-token': token } });
    await res.text();
    if (res.status !== 200) throw new Error(`list: ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out;
}

export async function growth(argv: string[]): Promise<void> {
  const o = options(argv);
  const sizes = (o.sizes ?? '10000,100000,1000000').split(',').map(Number).sort((a, b) => a - b);
  const requests = Number(o.requests ?? 300);
  const rows: Record<string, unknown>[] = [];
  const dataDir = mkdtempSync(join(os.tmpdir(), 'inboxd-growth-'));
  const file = join(dataDir, 'inboxd.db');
  try {
    // ── create-mailbox throughput (also makes the schema) ──
    let createRate = 0;
    {
      const t = await startInboxdTarget({ pair: 'embedded', mailboxes: 0, dataDir });
      const started = performance.now();
      let made = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() - started < 3000) {
            const res = await fetch(`${t.http}/api/v1/mailboxes?ttl_minutes=600`, { method: 'POST' });
            await res.text();
            if (res.status === 201) made++;
          }
        }),
      );
      createRate = Math.round(made / ((performance.now() - started) / 1000));
      await t.stop();
    }

    // ── seed, serve, measure; grow; again ──
    const tokens: string[] = [];
    const ids: string[] = [];
    const seeder = new SqliteStore({ file, synchronous: 'full' });
    for (let i = 0; i < MAILBOXES; i++) {
      const token = randomBytes(16).toString('hex');
      const mb = await seeder.createMailbox(
        { address: `grow${i}-${randomBytes(3).toString('hex')}@inboxd.test`, domain: 'inboxd.test', ownerType: 'anonymous', ownerId: `grow-${i}`, tokenHash: hashSecret(token), plan: 'free', group: null, expiresAt: Date.now() + 86_400_000 },
        { now: Date.now(), maxMailboxes: -1, quarantineMs: 0 },
      );
      tokens.push(token);
      ids.push(mb.id);
    }
    const addresses = await Promise.all(ids.map(async (id) => (await seeder.getMailboxById(id))!.address));
    await seeder.close();
    let stored = 0;
    for (const size of sizes) {
      const seedStarted = performance.now();
      const store = new SqliteStore({ file, synchronous: 'full' });
      const raw = Buffer.from('From: shop@example.com\r\nSubject: seeded\r\n\r\nYour code is 123456.\r\n');
      while (stored < size) {
        const n = Math.min(5000, size - stored);
        const now = Date.now();
        const batch: NewMessage[] = Array.from({ length: n }, (_, k) => ({
          mailboxId: ids[(stored + k) % MAILBOXES]!,
          tag: null,
          receivedAt: now,
          size: raw.length,
          source: 'smtp',
          envelopeFrom: 'shop@example.com',
          verdicts: null,
          content: content(stored + k),
          raw,
          maxMessages: -1,
          now,
        }));
        await store.insertMessages(batch);
        stored += n;
      }
      await store.close();
      const seedSeconds = (performance.now() - seedStarted) / 1000;

      const t = await startInboxdTarget({ pair: 'embedded', mailboxes: 0, dataDir });
      try {
        const base = `${t.http}/api/v1/mailboxes/${addresses[0]}/messages`;
        const perBox = Math.floor(stored / MAILBOXES);
        await timeRequests(`${base}?limit=50`, tokens[0]!, 20); // warm
        const rssWarm = rssOf(t.pid);
        const newest = summary(await timeRequests(`${base}?limit=50`, tokens[0]!, requests));
        const tail = summary(await timeRequests(`${base}?limit=50&order=asc&after_seq=${Math.max(0, perBox - 50)}`, tokens[0]!, requests));
        const rss = rssOf(t.pid);
        const row = {
          stored,
          per_mailbox: perBox,
          db_mib: round(statSync(file).size / 2 ** 20, 0),
          seeded_in_s: round(seedSeconds, 1),
          list_newest_p50_ms: newest.p50,
          list_newest_p99_ms: newest.p99,
          list_after_seq_p50_ms: tail.p50,
          list_after_seq_p99_ms: tail.p99,
          server_rss_mib: round(rss / 2 ** 20, 1),
          rss_after_warmup_mib: round(rssWarm / 2 ** 20, 1),
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      } finally {
        await t.stop();
      }
    }
    printTable(`growth (create-mailbox: ${createRate}/s over 16 HTTP clients)`, rows);
    const first = rows[0]!;
    const lastRow = rows[rows.length - 1]!;
    const ratio = round(Number(lastRow.list_newest_p50_ms) / Number(first.list_newest_p50_ms));
    console.log(`list p50 at ${lastRow.stored} / at ${first.stored}: ${ratio}×`);
    console.log(`\nwrote ${writeResults('growth', { settings: { sizes, requests, mailboxes: MAILBOXES }, create_mailbox_per_s: createRate, rows, list_p50_ratio_largest_to_smallest: ratio })}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
