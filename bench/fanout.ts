/**
 * fanout: 10,000 concurrent subscribed WebSockets on one Inboxd process (server RSS per socket:
 * RSS with the sockets open minus RSS before, over the count), and the time to deliver one event
 * to 1,000 listeners of one mailbox (from the final "." to the first, median and last arrival).
 * Options: --sockets N (10000), --listeners N (1000), --rounds N (5), --pair embedded|scale.
 */
import { WebSocket } from 'ws';
import { makeMessage, openSender } from '../test/support/smtp-load.js';
import { options, printTable, round, rssOf, sleep, startInboxdTarget, summary, writeResults } from './lib.js';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export async function fanout(argv: string[]): Promise<void> {
  const o = options(argv);
  const total = Number(o.sockets ?? 10_000);
  const listeners = Math.min(total, Number(o.listeners ?? 1000));
  const rounds = Number(o.rounds ?? 5);
  const pair = (o.pair ?? 'embedded') as 'embedded' | 'scale';
  const mailboxes = 1 + Math.ceil((total - listeners) / 100);
  const target = await startInboxdTarget({ pair, mailboxes });
  const sockets: WebSocket[] = [];
  try {
    const wsBase = target.http!.replace(/^http/, 'ws');
    const [hot, ...rest] = target.boxes as [(typeof target.boxes)[0], ...typeof target.boxes];
    // settle, then the baseline
    if (global.gc) global.gc();
    await sleep(1000);
    const rssBefore = rssOf(target.pid);
    const urls: string[] = [];
    for (let i = 0; i < listeners; i++) urls.push(`${wsBase}/ws/inbox/${hot.address}?token=${hot.token}`);
    for (let i = 0; urls.length < total; i++) {
      const b = rest[Math.floor(i / 100) % rest.length]!;
      urls.push(`${wsBase}/ws/inbox/${b.address}?token=${b.token}`);
    }
    const openStarted = performance.now();
    for (let i = 0; i < urls.length; i += 200) sockets.push(...(await Promise.all(urls.slice(i, i + 200).map(open))));
    const openSeconds = (performance.now() - openStarted) / 1000;
    await sleep(2000);
    const rssAfter = rssOf(target.pid);

    const hotSockets = sockets.slice(0, listeners);
    const sender = await openSender(target.smtpPort);
    const deliveries: { first: number; p50: number; last: number; got: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const subject = `load fan${r}`;
      const arrivals: number[] = [];
      const handlers = hotSockets.map((ws) => {
        const h = (d: Buffer) => {
          if (d.toString().includes(subject)) arrivals.push(performance.now());
        };
        ws.on('message', h);
        return [ws, h] as const;
      });
      const res = await sender.send('load@example.com', [hot.address], makeMessage(`fan${r}`, hot.address, 2048));
      if (res.code !== 250) throw new Error(res.reply);
      for (let k = 0; k < 1000 && arrivals.length < listeners; k++) await sleep(5);
      for (const [ws, h] of handlers) ws.off('message', h);
      const s = summary(arrivals.map((a) => a - res.dotAt));
      deliveries.push({ first: round(Math.min(...arrivals) - res.dotAt), p50: s.p50, last: s.max, got: arrivals.length });
      await sleep(200);
    }
    await sender.quit();
    const rows = [
      { measure: `${sockets.length} WebSockets open`, value: `${round((rssAfter - rssBefore) / 2 ** 20, 1)} MiB more RSS`, per_socket: `${round((rssAfter - rssBefore) / sockets.length / 1024, 1)} KiB`, total_rss: `${round(rssAfter / 2 ** 20, 1)} MiB` },
      { measure: 'opened in', value: `${round(openSeconds, 1)} s` },
      ...deliveries.map((d, i) => ({ measure: `round ${i + 1}: one event → ${listeners} listeners`, value: `last ${d.last} ms`, per_socket: `first ${d.first} ms, p50 ${d.p50} ms`, total_rss: `${d.got} got it` })),
    ];
    printTable(`fan-out (${target.name})`, rows);
    const last = summary(deliveries.map((d) => d.last));
    console.log(`\nwrote ${writeResults('fanout', {
      settings: { sockets: sockets.length, listeners, rounds, pair },
      rss_before_bytes: rssBefore,
      rss_after_bytes: rssAfter,
      rss_per_socket_bytes: Math.round((rssAfter - rssBefore) / sockets.length),
      open_seconds: round(openSeconds),
      deliveries,
      last_arrival_ms: last,
    })}`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await target.stop();
  }
}
