/**
 * growth: create-mailbox throughput over HTTP, then list-messages and search latency and server
 * RSS with 10k, 100k and 1M messages stored (embedded pair). Rows are seeded fast through the
 * store interface (`insertMessages` in batches of 5,000, one transaction each) while no server
 * runs; then a fresh `inboxd serve` on that file answers 300 list requests for one mailbox (newest
 * 50, and the 50 after a seq near the end) and 300 of each search (`GET /api/v1/messages?query=`,
 * issue #16 item 3) with that mailbox's session token: a code one message holds (rare), a word
 * every message holds (common: the newest 50 of many matches), and a word none holds (none).
 * The cost must stay flat as the data grows.
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
        // mailbox 0 holds messages 0, 100, 200…: the code of its newest one appears once (codes repeat after 900k)
        const search = (q: string) => `${t.http}/api/v1/messages?query=${encodeURIComponent(q)}&limit=50`;
        const rareCode = String(100000 + ((Math.floor((stored - 1) / MAILBOXES) * MAILBOXES) % 900000));
        // the answers are what the names say before they are timed
        const hits = async (q: string) => ((await (await fetch(search(q), { headers: { 'x-session-token': tokens[0]! } })).json()) as unknown[]).length;
        const [rareHits, commonHits, noHits] = [await hits(rareCode), await hits('seeded'), await hits('nowhere')];
        if (rareHits < 1 || commonHits !== 50 || noHits !== 0) throw new Error(`search answers ${rareHits} / ${commonHits} / ${noHits} (want ≥1 / 50 / 0)`);
        await timeRequests(search(rareCode), tokens[0]!, 20); // warm
        const rare = summary(await timeRequests(search(rareCode), tokens[0]!, requests));
        const common = summary(await timeRequests(search('seeded'), tokens[0]!, requests));
        const none = summary(await timeRequests(search('nowhere'), tokens[0]!, requests));
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
          search_rare_p50_ms: rare.p50,
          search_rare_p99_ms: rare.p99,
          search_common_p50_ms: common.p50,
          search_common_p99_ms: common.p99,
          search_none_p50_ms: none.p50,
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
    const searchRatio = (k: string) => round(Number(lastRow[k]) / Number(first[k]));
    console.log(`search p50 at ${lastRow.stored} / at ${first.stored}: rare ${searchRatio('search_rare_p50_ms')}×, common ${searchRatio('search_common_p50_ms')}×, none ${searchRatio('search_none_p50_ms')}×`);
    console.log(`\nwrote ${writeResults('growth', { settings: { sizes, requests, mailboxes: MAILBOXES }, create_mailbox_per_s: createRate, rows, list_p50_ratio_largest_to_smallest: ratio, search_p50_ratio_largest_to_smallest: { rare: searchRatio('search_rare_p50_ms'), common: searchRatio('search_common_p50_ms'), none: searchRatio('search_none_p50_ms') } })}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
