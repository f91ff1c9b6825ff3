/**
 * latency: end to end, from the final "." written by the sender to (a) the new_message event at a
 * subscribed WebSocket client and (b) a waiting long-poll (`/messages/wait`) returning; p50/p99/max,
 * alone at 20 msg/s, and again under background ingest into other mailboxes at 1,000 msg/s, or
 * at what this machine can sustain if less (the bench measures the server's capacity first and
 * says which rate it used). Options: --messages N (default 100), --pair embedded|scale,
 * --bg-rate R (default 1000), --bg-share F (cap on the background as a share of the measured
 * capacity, default 0.6).
 */
import { connectWs } from '../test/support/harness.js';
import { makeMessage, openSender } from '../test/support/smtp-load.js';
import { options, printTable, sleep, startInboxdTarget, summary, writeResults } from './lib.js';
import { backgroundLoad, runLoad } from './load.js';

export async function latency(argv: string[]): Promise<void> {
  const o = options(argv);
  const messages = Number(o.messages ?? 100);
  const pair = (o.pair ?? 'embedded') as 'embedded' | 'scale';
  const wanted = Number(o['bg-rate'] ?? 1000);
  const share = Number(o['bg-share'] ?? 0.6);
  const target = await startInboxdTarget({ pair, mailboxes: 17 });
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  try {
    const [watched, ...others] = target.boxes as [(typeof target.boxes)[0], ...typeof target.boxes];
    // what can this server take? background load is capped at a share of it (60% by default), so the latency
    // measured is that of a busy server, not of a saturated queue
    const capacity = await runLoad({ ...target, boxes: others }, { size: 2048, conns: 16, count: 100_000, maxMs: 2000 });
    const bgRate = Math.min(wanted, Math.floor(capacity.msgs_per_s * share));
    if (bgRate < wanted) notes.push(`background ingest capped at ${bgRate} msg/s (${Math.round(share * 100)}% of the ${capacity.msgs_per_s} msg/s this server sustained here), not ${wanted}`);

    const ws = await connectWs(`${target.http!.replace(/^http/, 'ws')}/ws/inbox/${watched.address}?token=${watched.token}`);
    const arrivals = new Map<string, number>();
    ws.socket.on('message', (d) => {
      const ev = JSON.parse(d.toString()) as { event: string; subject?: string };
      if (ev.event === 'new_message' && ev.subject) arrivals.set(ev.subject, performance.now());
    });
    const sender = await openSender(target.smtpPort);
    let seq = 0;

    const phase = async (label: string) => {
      const wsMs: number[] = [];
      const pollMs: number[] = [];
      const ackMs: number[] = [];
      for (let i = 0; i < messages; i++) {
        const started = performance.now();
        const id = `${label.replace(/\W/g, '')}-${i}`;
        // the long-poll is waiting before the message is sent
        const poll = fetch(`${target.http}/api/v1/mailboxes/${watched.address}/messages/wait?after_seq=${seq}&timeout=10`, {
          headers: { 'x-session-token': watched.token },
        }).then(async (res) => {
          const at = performance.now();
          await res.text();
          return { at, status: res.status };
        });
        await sleep(2); // let the wait reach the server and subscribe
        const r = await sender.send('load@example.com', [watched.address], makeMessage(id, watched.address, 2048));
        if (r.code !== 250) throw new Error(`send: ${r.reply}`);
        seq++;
        ackMs.push(r.ackMs);
        const p = await poll;
        if (p.status === 200) pollMs.push(p.at - r.dotAt);
        for (let k = 0; k < 200 && !arrivals.has(`load ${id}`); k++) await sleep(1);
        const at = arrivals.get(`load ${id}`);
        if (at !== undefined) wsMs.push(at - r.dotAt);
        // 20 msg/s: one every 50 ms
        const wait = 50 - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
      for (const [what, values] of [
        ['"." → WebSocket event', wsMs],
        ['"." → long-poll returns', pollMs],
        ['"." → 250', ackMs],
      ] as const) {
        const s = summary(values);
        rows.push({ load: label, measure: what, n: s.n, p50_ms: s.p50, p99_ms: s.p99, max_ms: s.max });
      }
    };

    await phase('alone, 20 msg/s');
    const bg = backgroundLoad(target, { rate: bgRate, conns: 16, size: 2048, boxes: others });
    await sleep(500);
    await phase(`20 msg/s + ${bgRate} msg/s background`);
    const achieved = await bg.stop();
    notes.push(`background achieved ${achieved.achieved_msgs_per_s} msg/s (${achieved.ok} messages)`);
    await sender.quit();
    ws.close();
    printTable(`latency (${target.name}; ms)`, rows);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(`\nwrote ${writeResults('latency', { settings: { messages, pair, wanted_bg_rate: wanted, bg_rate: bgRate, capacity_msgs_per_s: capacity.msgs_per_s }, rows, notes })}`);
  } finally {
    await target.stop();
  }
}
