/**
 * cpu: the CPU cost of each step of the ingest path for one message of each bench size, timed
 * in this process (not a server, no sockets), so that it holds up on a busy machine better than
 * throughput does: CPU time (process.cpuUsage) per message, median of rounds. Steps: the MIME
 * parse alone (postal-mime), extraction (one walk), the whole parse task a worker runs, and the
 * SQLite insert of the row (synchronous=OFF, so no fsync: the row's own cost). Options:
 * --sizes 2048,51200,512000 --rounds 7.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { extractAll } from '../src/core/extract/index.js';
import parse from '../src/mime/parse-worker.js';
import { PARSER_OPTIONS } from '../src/mime/limits.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { options, printTable, round, writeResults } from './lib.js';
import { benchMessage } from './messages.js';

async function cpuPerCall(fn: () => Promise<unknown> | unknown, minMs = 300, rounds = 7): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm the JIT
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    let n = 0;
    while (performance.now() - w0 < minMs / rounds || n < 3) {
      await fn();
      n++;
    }
    const d = process.cpuUsage(t0);
    per.push((d.user + d.system) / 1000 / n);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)]!;
}

export async function cpu(argv: string[]): Promise<void> {
  const o = options(argv);
  const sizes = (o.sizes ?? '2048,51200,512000').split(',').map(Number);
  const rows: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(os.tmpdir(), 'inboxd-cpu-'));
  const store = new SqliteStore({ file: join(dir, 'cpu.db'), synchronous: 'normal' });
  await store.migrate();
  await store.updatePlan('free', { maxMailboxes: -1, maxMessagesPerMailbox: -1 });
  const box = await store.createMailbox(
    { address: 'cpu@bench.test', domain: 'bench.test', ownerType: 'anonymous', ownerId: 'cpu', tokenHash: null, plan: 'free', group: null, expiresAt: Date.now() + 3_600_000 },
    { now: Date.now(), quarantineMs: 0, maxMailboxes: -1 },
  );
  try {
    for (const size of sizes) {
      const raw = benchMessage(`cpu-${size}`, 'cpu@bench.test', size);
      const bytes = () => new Uint8Array(raw);
      const email = await PostalMime.parse(raw, PARSER_OPTIONS);
      const content = (await parse({ raw: bytes() })) as Awaited<ReturnType<typeof parse>> & { bodyText: string | null };
      const steps: [string, () => unknown][] = [
        ['postal-mime parse', () => new PostalMime(PARSER_OPTIONS).parse(bytes())],
        ['extract (html text, links, codes)', () => extractAll({ subject: email.subject ?? null, text: email.text ?? null, html: email.html ?? null })],
        ['whole parse task (worker)', () => parse({ raw: bytes() })],
        [
          'SQLite insert, no fsync',
          () =>
            store.insertMessages([
              { mailboxId: box.id, tag: null, receivedAt: Date.now(), size: raw.length, source: 'smtp', envelopeFrom: 'a@b.c', verdicts: null, content: content as never, raw, maxMessages: -1, now: Date.now() },
            ]),
        ],
      ];
      for (const [step, fn] of steps) rows.push({ size_kb: Math.round(raw.length / 1024), step, cpu_ms: round(await cpuPerCall(fn), 3) });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable('cpu per message (ms of CPU, median of rounds)', rows);
  console.log(`\nwrote ${writeResults('cpu', { settings: { sizes }, rows })}`);
}
