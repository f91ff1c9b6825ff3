/**
 * check: the targets of issue #18 in one command, each measured in this run and printed with its
 * ratio; exits 1 when one is missed (CI does not run it: it needs a quiet machine). Ingest at
 * C=16 for the floor, MailDev 3 and Inboxd on both pairs (PostgreSQL + Redis when configured,
 * see RESULTS.md), end-to-end latency at 20 msg/s alone and under half the measured capacity,
 * and the memory rise for one 20 MB message and 16 concurrent 10 MB ones. Options: --seconds S
 * (per ingest cell, default 3), --messages N (latency, default 100), --server-cpus 0,1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/serve-process.js';
import { options, printTable, round, scaleUrls, startFloor, startInboxdTarget, startMaildev, type Target, writeResults } from './lib.js';
import { latency } from './latency.js';
import { runLoad } from './load.js';
import { measureMemory } from './memory.js';

const SIZES = [2048, 51200, 512000];

/** the bound this change states for 16 concurrent 10 MB messages: 3x the bytes in flight. */
const CONCURRENT_BOUND = 3;

interface Verdict {
  target: string;
  measured: string;
  required: string;
  ok: boolean;
}

export async function check(argv: string[]): Promise<void> {
  const o = options(argv);
  const maxMs = Number(o.seconds ?? 3) * 1000;
  const rate: Record<string, Record<number, number>> = {};
  const notes: string[] = [];
  const starts: [string, () => Promise<Target | { error: string }>][] = [
    ['floor', startFloor],
    ['maildev', startMaildev],
    ['sqlite', () => startInboxdTarget({ pair: 'embedded' })],
    ['pg', async () => (scaleUrls() ? startInboxdTarget({ pair: 'scale' }) : { error: 'INBOXD_BENCH_DATABASE_URL/INBOXD_BENCH_REDIS_URL not set' })],
  ];
  for (const [key, start] of starts) {
    const t = await start().catch((err: unknown) => ({ error: err instanceof Error ? err.message.split('\n')[0]! : String(err) }));
    if ('error' in t) {
      notes.push(`${key}: not measured: ${t.error.slice(0, 200)}`);
      continue;
    }
    rate[key] = {};
    try {
      for (const size of key === 'pg' ? [2048] : SIZES) {
        const r = await runLoad(t, { size, conns: 16, count: 1_000_000, maxMs });
        rate[key]![size] = r.msgs_per_s;
        console.log(JSON.stringify({ target: key, size, ...r }));
      }
    } finally {
      await t.stop();
    }
  }

  const verdicts: Verdict[] = [];
  const ratio = (a: string, b: string, size: number, need: number, what: string) => {
    const x = rate[a]?.[size];
    const y = rate[b]?.[size];
    if (x === undefined || y === undefined) {
      verdicts.push({ target: what, measured: 'not measured', required: `≥ ${need}x`, ok: false });
      return;
    }
    const r = x / y;
    const pct = need < 1;
    verdicts.push({
      target: what,
      measured: pct ? `${Math.round(r * 100)}% (${x} / ${y} msg/s)` : `${round(r, 2)}x (${x} / ${y} msg/s)`,
      required: pct ? `≥ ${need * 100}%` : `≥ ${need}x`,
      ok: r >= need,
    });
  };
  ratio('sqlite', 'floor', 2048, 0.5, '1. embedded, 2 KB, C=16, of the floor');
  ratio('sqlite', 'maildev', 51200, 2, '2. embedded, 50 KB HTML, C=16, of MailDev');
  ratio('sqlite', 'floor', 51200, 0.25, '2. embedded, 50 KB HTML, C=16, of the floor');
  ratio('sqlite', 'maildev', 512000, 2, '2. embedded, 500 KB + attachment, C=16, of MailDev');
  ratio('pg', 'floor', 2048, 0.25, '3. PostgreSQL + Redis, 2 KB, C=16, of the floor');

  await latency(['--messages', String(o.messages ?? 100), '--bg-share', '0.5']);
  const lat = JSON.parse(readFileSync(join(repoRoot, 'bench', 'results', 'latency.json'), 'utf8')) as { rows: { load: string; measure: string; p99_ms: number }[] };
  const ws = lat.rows.filter((r) => r.measure.includes('WebSocket'));
  for (const [i, need, what] of [
    [0, 5, '4. "." → WebSocket p99, 20 msg/s alone'],
    [1, 10, '4. "." → WebSocket p99, under half the capacity'],
  ] as const) {
    const r = ws[i];
    verdicts.push({ target: what, measured: r ? `${r.p99_ms} ms` : 'not measured', required: `≤ ${need} ms`, ok: r !== undefined && r.p99_ms <= need });
  }

  const mem = await measureMemory({ single: 20, concurrent: 16, each: 10 });
  verdicts.push({ target: '5. one 20 MB message, RSS rise', measured: `${mem.single_rise_mb} MB (${round(mem.single_rise_mb / 20, 2)}x)`, required: '≤ 3x (60 MB)', ok: mem.single_rise_mb <= 60 });
  verdicts.push({
    target: '5. 16 concurrent 10 MB messages, RSS rise',
    measured: `${mem.concurrent_rise_mb} MB (${round(mem.concurrent_rise_mb / 160, 2)}x)`,
    required: `≤ ${CONCURRENT_BOUND}x (${CONCURRENT_BOUND * 160} MB)`,
    ok: mem.concurrent_rise_mb <= CONCURRENT_BOUND * 160,
  });

  printTable(`check (server on cpu ${process.env.BENCH_SERVER_CPUS ?? '0'})`, verdicts.map((v) => ({ ...v, ok: v.ok ? 'held' : 'MISSED' })));
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${writeResults('check', { rate, verdicts, memory: mem, notes })}`);
  if (verdicts.some((v) => !v.ok)) process.exit(1);
}
