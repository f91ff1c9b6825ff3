/**
 * webhooks (#15 item 6): end to end from the final "." written by the sender to the signed
 * webhook received by a local receiver (in this process, core 1), p50/p99/max at 20 msg/s alone
 * and again under background ingest into other (anonymous) mailboxes; then sustained webhook
 * throughput: messages sent as fast as 8 connections go, webhooks received per second until the
 * last one is in. Options: --messages N (default 100), --burst N (default 500), --pair
 * embedded|scale, --bg-rate R (default 200 msg/s).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSecret, newApiKey } from '../src/core/tokens.js';
import { makeMessage, openSender } from '../test/support/smtp-load.js';
import { openStore, options, printTable, sleep, startInboxdTarget, summary, writeResults } from './lib.js';
import { backgroundLoad } from './load.js';

export async function webhooks(argv: string[]): Promise<void> {
  const o = options(argv);
  const messages = Number(o.messages ?? 100);
  const burst = Number(o.burst ?? 500);
  const pair = (o.pair ?? 'embedded') as 'embedded' | 'scale';
  const bgRate = Number(o['bg-rate'] ?? 200);
  const target = await startInboxdTarget({ pair, mailboxes: 8 });
  const rows: Record<string, unknown>[] = [];
  const arrivals = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const ev = JSON.parse(Buffer.concat(chunks).toString()) as { subject?: string };
      if (ev.subject) arrivals.set(ev.subject, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    // a user and key for the webhook (webhooks belong to API key owners)
    const store = await openStore(pair, { dataDir: target.dataDir, schema: target.schema });
    const user = await store.createUser({ email: `bench-${Date.now()}@example.com`, plan: 'pro' });
    const k = newApiKey();
    await store.createApiKey({ userId: user.id, name: 'bench', keyHash: hashSecret(k.key), prefix: k.prefix });
    await store.close();
    const call = async (path: string, body: unknown) => {
      const res = await fetch(target.http + path, { method: 'POST', headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { address: string };
    };
    const watched = (await call('/api/v1/mailboxes', { ttl_minutes: 600 })).address;
    await call('/api/v1/webhooks', { url });
    const sender = await openSender(target.smtpPort);

    const phase = async (label: string) => {
      const ms: number[] = [];
      for (let i = 0; i < messages; i++) {
        const started = performance.now();
        const id = `${label.replace(/\W/g, '')}-${i}`;
        const r = await sender.send('load@example.com', [watched], makeMessage(id, watched, 2048));
        if (r.code !== 250) throw new Error(`send: ${r.reply}`);
        for (let n = 0; n < 2000 && !arrivals.has(`load ${id}`); n++) await sleep(1);
        const at = arrivals.get(`load ${id}`);
        if (at !== undefined) ms.push(at - r.dotAt);
        const wait = 50 - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
      const s = summary(ms);
      rows.push({ load: label, measure: '"." → webhook received', n: s.n, p50_ms: s.p50, p99_ms: s.p99, max_ms: s.max });
    };

    await phase('alone, 20 msg/s');
    const bg = backgroundLoad(target, { rate: bgRate, conns: 8, size: 2048, boxes: target.boxes });
    await sleep(500);
    await phase(`20 msg/s + ${bgRate} msg/s background`);
    const achieved = await bg.stop();

    // sustained: a burst as fast as 8 connections send it; webhooks per second until the last is in
    const senders = await Promise.all(Array.from({ length: 8 }, () => openSender(target.smtpPort)));
    const before = arrivals.size;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      senders.map(async (s) => {
        for (let i = next++; i < burst; i = next++) await s.send('load@example.com', [watched], makeMessage(`burst-${i}`, watched, 2048));
      }),
    );
    const sentIn = (performance.now() - started) / 1000;
    for (let n = 0; n < 60_000 && arrivals.size - before < burst; n += 10) await sleep(10);
    const allIn = (performance.now() - started) / 1000;
    rows.push({ load: `burst of ${burst}, 8 connections`, measure: 'webhooks received per second', n: arrivals.size - before, p50_ms: '', p99_ms: '', max_ms: '', per_s: Math.round((arrivals.size - before) / allIn), sent_per_s: Math.round(burst / sentIn) });
    for (const s of senders) await s.quit();
    await sender.quit();
    printTable(`webhooks (${target.name}; ms)`, rows);
    console.log(`note: background achieved ${achieved.achieved_msgs_per_s} msg/s`);
    console.log(`\nwrote ${writeResults('webhooks', { settings: { messages, burst, pair, bg_rate: bgRate }, rows, background: achieved })}`);
  } finally {
    await new Promise((r) => receiver.close(r));
    await target.stop();
  }
}
