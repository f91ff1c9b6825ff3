/**
 * memory: how much the server's resident set rises while it takes in large messages: one
 * message of --single MB (default 20), then --concurrent messages (default 16) of --each MB
 * (default 10) at once, each on its own connection. The rise is the peak RSS while they are taken
 * in minus the RSS just before: the kernel's own peak (VmHWM, reset to the current RSS by writing
 * 5 to /proc/<pid>/clear_refs), so a short peak between two samples is not missed; where
 * clear_refs cannot be written, RSS sampled every 5 ms.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { openSender } from '../test/support/smtp-load.js';
import { options, printTable, round, rssOf, sleep, startInboxdTarget, writeResults } from './lib.js';

const MB = 1024 * 1024;

/** a plain message of `bytes`, lines of 76 characters (what base64 attachments look like). */
function largeMessage(to: string, bytes: number, id: string): Buffer {
  const head = `From: big@example.com\r\nTo: ${to}\r\nSubject: large ${id}\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  return Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(Math.ceil((bytes - head.length) / line.length)))]);
}

export interface MemoryResult {
  single_mb: number;
  single_rise_mb: number;
  concurrent: number;
  each_mb: number;
  concurrent_rise_mb: number;
  baseline_rss_mb: number;
}

/** VmHWM of `pid` after resetting it to the current RSS, or null when clear_refs is not writable. */
function resetPeak(pid: number): (() => number) | null {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    return null;
  }
  return () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
}

async function peakRise(pid: number, work: () => Promise<unknown>): Promise<{ before: number; rise: number }> {
  if (typeof global.gc === 'function') global.gc();
  await sleep(300);
  const hwm = resetPeak(pid);
  const before = rssOf(pid);
  let peak = before;
  let done = false;
  const sampler = (async () => {
    while (!done && hwm === null) {
      peak = Math.max(peak, rssOf(pid));
      await sleep(5);
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await sampler;
  }
  if (hwm !== null) peak = hwm();
  return { before, rise: peak - before };
}

export async function measureMemory(o: { single: number; concurrent: number; each: number }): Promise<MemoryResult> {
  const target = await startInboxdTarget({ pair: 'embedded', mailboxes: 1, env: { INBOXD_SMTP_MAX_MESSAGE_BYTES: String(64 * MB) } });
  try {
    const box = target.boxes[0]!.address;
    const send = async (bytes: number, id: string) => {
      const s = await openSender(target.smtpPort);
      try {
        const r = await s.send('big@example.com', [box], largeMessage(box, bytes, id));
        if (r.code !== 250) throw new Error(`large message refused: ${r.reply}`);
      } finally {
        await s.quit();
      }
    };
    // warm: the parser worker and the statement cache exist before measuring
    await send(1 * MB, 'warm');
    const single = await peakRise(target.pid, () => send(o.single * MB, 'single'));
    const many = await peakRise(target.pid, () => Promise.all(Array.from({ length: o.concurrent }, (_, i) => send(o.each * MB, `c${i}`))));
    return {
      single_mb: o.single,
      single_rise_mb: round(single.rise / MB, 1),
      concurrent: o.concurrent,
      each_mb: o.each,
      concurrent_rise_mb: round(many.rise / MB, 1),
      baseline_rss_mb: round(single.before / MB, 1),
    };
  } finally {
    await target.stop();
  }
}

export async function memory(argv: string[]): Promise<void> {
  const o = options(argv);
  const r = await measureMemory({ single: Number(o.single ?? 20), concurrent: Number(o.concurrent ?? 16), each: Number(o.each ?? 10) });
  printTable('memory (server RSS rise, MB)', [r as unknown as Record<string, unknown>]);
  console.log(`\nwrote ${writeResults('memory', { result: r })}`);
}
