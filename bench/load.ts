/**
 * The SMTP load driver shared by the benches: C reused connections send as fast as the server
 * answers (or at a fixed rate), round-robin over the target's addresses.
 */
import { openSender, type SmtpSender } from '../test/support/smtp-load.js';
import { benchMessage } from './messages.js';
import { round, summary, type Target } from './lib.js';

export interface LoadResult {
  sent: number;
  ok: number;
  refused: number;
  seconds: number;
  msgs_per_s: number;
  ack_p50_ms: number;
  ack_p99_ms: number;
}

/** a few distinct bodies per size, built once: the client must not be the bottleneck. */
const bodies = new Map<string, Buffer[]>();
export function bodiesFor(target: Target, size: number): Buffer[] {
  const key = `${target.name}:${size}`;
  let list = bodies.get(key);
  if (!list) {
    list = Array.from({ length: 64 }, (_, i) => benchMessage(`b${size}-${i}`, target.boxes[i % target.boxes.length]!.address, size));
    bodies.set(key, list);
  }
  return list;
}

/**
 * sends until `count` messages have been answered or `maxMs` has passed (whichever first), over
 * `conns` connections; warm-up messages (the first `warmup` per connection) are not counted.
 */
export async function runLoad(target: Target, o: { size: number; conns: number; count: number; maxMs: number; warmup?: number }): Promise<LoadResult> {
  const list = bodiesFor(target, o.size);
  const senders: SmtpSender[] = [];
  for (let i = 0; i < o.conns; i++) senders.push(await openSender(target.smtpPort));
  const warm = o.warmup ?? 2;
  await Promise.all(
    senders.map(async (s, c) => {
      for (let i = 0; i < warm; i++) {
        const box = target.boxes[(c + i) % target.boxes.length]!;
        await s.send('load@example.com', [box.address], list[(c + i) % list.length]!);
      }
    }),
  );
  const acks: number[] = [];
  let sent = 0;
  let ok = 0;
  let refused = 0;
  const started = performance.now();
  const deadline = started + o.maxMs;
  await Promise.all(
    senders.map(async (s, c) => {
      for (let i = 0; sent < o.count && performance.now() < deadline; i++) {
        sent++;
        const box = target.boxes[(c + i) % target.boxes.length]!;
        const r = await s.send('load@example.com', [box.address], list[(c * 7 + i) % list.length]!);
        if (r.code === 250) {
          ok++;
          acks.push(r.ackMs);
        } else refused++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(senders.map((s) => s.quit()));
  const st = summary(acks);
  return { sent, ok, refused, seconds: round(seconds), msgs_per_s: round(ok / seconds, 0), ack_p50_ms: st.p50, ack_p99_ms: st.p99 };
}

/**
 * sends at a fixed rate (messages per second, spread over `conns` connections) until `stop()`;
 * for background load under the latency bench. Reports what it achieved.
 */
export function backgroundLoad(target: Target, o: { rate: number; conns: number; size: number; boxes: Target['boxes'] }) {
  let stopped = false;
  let ok = 0;
  const started = performance.now();
  const list = bodiesFor({ ...target, boxes: o.boxes, name: `${target.name}-bg` }, o.size);
  const perConnInterval = (1000 * o.conns) / o.rate;
  const done = (async () => {
    const senders: SmtpSender[] = [];
    for (let i = 0; i < o.conns; i++) senders.push(await openSender(target.smtpPort));
    await Promise.all(
      senders.map(async (s, c) => {
        let next = performance.now() + (perConnInterval * c) / o.conns;
        for (let i = 0; !stopped && i < 10_000_000; i++) {
          const wait = next - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          next += perConnInterval;
          const box = o.boxes[(c + i) % o.boxes.length]!;
          const r = await s.send('load@example.com', [box.address], list[i % list.length]!);
          if (r.code === 250) ok++;
        }
      }),
    );
    await Promise.all(senders.map((s) => s.quit()));
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      const seconds = (performance.now() - started) / 1000;
      return { ok, achieved_msgs_per_s: round(ok / seconds, 0) };
    },
  };
}
