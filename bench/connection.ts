/**
 * connection: a client that opens a new SMTP connection per message (nodemailer without a pool,
 * the usual test-suite set-up). Connect-to-greeting time, and connect-to-event latency (TCP
 * connect started → new_message at a subscribed WebSocket), with INBOXD_SMTP_GREETING_DELAY=0
 * (the default) and =100 (what smtp-server does when left alone), and the floor's greeting
 * (smtp-server's built-in 100 ms early-talker delay) for reference. Options: --messages N (50).
 */
import { connectWs } from '../test/support/harness.js';
import { makeMessage, openSender } from '../test/support/smtp-load.js';
import { options, printTable, sleep, startFloor, startInboxdTarget, summary, writeResults } from './lib.js';

export async function connection(argv: string[]): Promise<void> {
  const o = options(argv);
  const messages = Number(o.messages ?? 50);
  const rows: Record<string, unknown>[] = [];

  for (const delay of [0, 100]) {
    const target = await startInboxdTarget({ pair: 'embedded', mailboxes: 1, env: { INBOXD_SMTP_GREETING_DELAY: String(delay) } });
    try {
      const box = target.boxes[0]!;
      const ws = await connectWs(`${target.http!.replace(/^http/, 'ws')}/ws/inbox/${box.address}?token=${box.token}`);
      const arrivals = new Map<string, number>();
      ws.socket.on('message', (d) => {
        const ev = JSON.parse(d.toString()) as { event: string; subject?: string };
        if (ev.event === 'new_message' && ev.subject) arrivals.set(ev.subject, performance.now());
      });
      const greet: number[] = [];
      const toEvent: number[] = [];
      const started = performance.now();
      for (let i = 0; i < messages; i++) {
        const t0 = performance.now();
        const s = await openSender(target.smtpPort);
        greet.push(s.greetingMs);
        const r = await s.send('load@example.com', [box.address], makeMessage(`c${delay}-${i}`, box.address, 2048));
        if (r.code !== 250) throw new Error(r.reply);
        await s.quit();
        for (let k = 0; k < 500 && !arrivals.has(`load c${delay}-${i}`); k++) await sleep(1);
        const at = arrivals.get(`load c${delay}-${i}`);
        if (at !== undefined) toEvent.push(at - t0);
      }
      const rate = messages / ((performance.now() - started) / 1000);
      ws.close();
      const g = summary(greet);
      const e = summary(toEvent);
      rows.push({ server: `inboxd, greeting delay ${delay} ms`, n: messages, greet_p50_ms: g.p50, greet_p99_ms: g.p99, event_p50_ms: e.p50, event_p99_ms: e.p99, event_max_ms: e.max, msgs_per_s_one_client: Math.round(rate) });
    } finally {
      await target.stop();
    }
  }

  const floor = await startFloor();
  try {
    const greet: number[] = [];
    for (let i = 0; i < Math.min(messages, 20); i++) {
      const s = await openSender(floor.smtpPort);
      greet.push(s.greetingMs);
      await s.quit();
    }
    const g = summary(greet);
    rows.push({ server: 'bare smtp-server (library default)', n: greet.length, greet_p50_ms: g.p50, greet_p99_ms: g.p99 });
  } finally {
    await floor.stop();
  }
  printTable('connection per message (ms)', rows);
  console.log(`\nwrote ${writeResults('connection', { settings: { messages }, rows })}`);
}
