/**
 * ingest: N messages of 2 KB and 50 KB over C = 1, 16, 64 reused SMTP connections; messages per
 * second and p50/p99 from the final "." to the 250. Targets, one after another, in one run: the
 * floor (bare smtp-server, discards), MailDev 3 (the peer), Inboxd on the embedded pair
 * (synchronous=FULL, the default) and, when configured, Inboxd on PostgreSQL + Redis.
 * Options: --count N (per cell, default 4000), --seconds S (cap per cell, default 4),
 * --only floor,maildev,sqlite,pg  --conns 1,16,64  --sizes 2048,51200.
 */
import { options, printTable, scaleUrls, startFloor, startInboxdTarget, startMaildev, type Target, writeResults } from './lib.js';
import { runLoad } from './load.js';

export async function ingest(argv: string[]): Promise<void> {
  const o = options(argv);
  const count = Number(o.count ?? 4000);
  const maxMs = Number(o.seconds ?? 4) * 1000;
  const conns = (o.conns ?? '1,16,64').split(',').map(Number);
  const sizes = (o.sizes ?? '2048,51200').split(',').map(Number);
  const only = new Set((o.only ?? 'floor,maildev,sqlite,pg').split(','));
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];

  const targets: { key: string; start: () => Promise<Target | { error: string }> }[] = [
    { key: 'floor', start: startFloor },
    { key: 'maildev', start: startMaildev },
    { key: 'sqlite', start: () => startInboxdTarget({ pair: 'embedded' }) },
    { key: 'pg', start: async () => (scaleUrls() ? startInboxdTarget({ pair: 'scale' }) : { error: 'INBOXD_BENCH_DATABASE_URL/INBOXD_BENCH_REDIS_URL (or INBOXD_TEST_*) not set' }) },
  ];
  for (const t of targets) {
    if (!only.has(t.key)) continue;
    const target = await t.start();
    if ('error' in target) {
      notes.push(`${t.key}: not measured: ${target.error}`);
      console.log(`${t.key}: not measured: ${target.error}`);
      continue;
    }
    try {
      for (const size of sizes) {
        for (const c of conns) {
          // C=1 is latency-bound: fewer messages keep the cell short
          const n = c === 1 ? Math.min(count, 1000) : size > 10_000 ? Math.ceil(count / 2) : count;
          const r = await runLoad(target, { size, conns: c, count: n, maxMs });
          const row = { target: target.name, size_kb: Math.round(size / 1024), conns: c, ...r };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
      }
    } finally {
      await target.stop();
    }
  }
  // ratios to the floor, cell by cell
  for (const r of rows) {
    const floor = rows.find((f) => String(f.target).startsWith('floor') && f.size_kb === r.size_kb && f.conns === r.conns);
    if (floor) r.of_floor = `${Math.round((100 * Number(r.msgs_per_s)) / Number(floor.msgs_per_s))}%`;
  }
  printTable('ingest (msgs/s; ack = final "." → 250, ms)', rows.map(({ target, size_kb, conns, msgs_per_s, of_floor, ack_p50_ms, ack_p99_ms, ok, refused }) => ({ target, size_kb, conns, msgs_per_s, of_floor, ack_p50_ms, ack_p99_ms, ok, refused })));
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${writeResults('ingest', { settings: { count, maxMs, conns, sizes }, rows, notes })}`);
}
