/**
 * What taking in large messages costs a real `inboxd serve` process in resident memory (#18
 * item 5), read from the kernel's own peak: /proc/<pid>/clear_refs resets VmHWM to the current
 * RSS, so VmHWM after the sends is the exact peak, with no sampling to miss it.
 *
 * The bounds carry margin on purpose, because RSS is not a count of copies: the message itself
 * is held once (src/smtp/data-buffer.ts; that no copy is made is pinned by its unit test), but
 * the socket's read buffers and smtp-server's per-chunk copies stay allocated until the next GC
 * (V8 collects them once external memory has grown by about 64 MB), SQLite copies the BLOB it
 * binds, and the parser worker decodes the body; how much of that is resident at the peak depends
 * on when GC and the background sweeper run, so on load. Measured (#18): one 20 MB message peaks
 * at 4.3–4.5x its size here (5.4x before DATA streamed into shared memory), and at up to 6.8x in
 * `npm run bench -- memory`, where the server shares one pinned core with its GC threads. So the
 * bound is 8x: it fails when the message is held several more times over (a chunk list kept per
 * recipient, a copy per hop), not for one GC that came late. The budget case measured 3.4–4.0x
 * the budget (4.3x before); its bound, 8x, is what keeps many concurrent large senders from
 * taking the process out of memory: its rise follows the budget, not the bytes offered.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';
import { openSender } from '../support/smtp-load.js';

const MB = 1024 * 1024;
/** one 20 MB message may raise the peak RSS by at most this many times its size. */
const SINGLE_BOUND = 8;
/** the server-wide budget of DATA bytes held at once (smtp_max_buffered_bytes) in the concurrent case. */
const BUDGET = 24 * MB;
/**
 * 16 concurrent 6 MB messages (96 MB offered against a 24 MB budget: most are answered 451 and
 * drain) may raise the peak RSS by at most this many times the budget.
 */
const BUDGET_BOUND = 8;

let dir: string;
let serve: ServeProcess;
let box: string;

const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${serve.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

/** how much the process's peak RSS rises above its current RSS while `work` runs. */
async function peakRise(work: () => Promise<unknown>): Promise<number> {
  writeFileSync(`/proc/${serve.pid}/clear_refs`, '5');
  const before = kb('VmRSS');
  await work();
  return kb('VmHWM') - before;
}

/** a message of `bytes` with a base64 body, what a large attachment looks like. */
function largeMessage(bytes: number, id: string): Buffer {
  const head = `From: big@example.com\r\nTo: ${box}\r\nSubject: large ${id}\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  return Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(Math.ceil((bytes - head.length) / line.length)))]);
}

async function send(bytes: number, id: string): Promise<number> {
  const s = await openSender(serve.smtpPort);
  try {
    return (await s.send('big@example.com', [box], largeMessage(bytes, id))).code;
  } finally {
    await s.quit();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inboxd-rss-'));
  const store = new SqliteStore({ file: join(dir, 'inboxd.db'), synchronous: 'full' });
  await store.migrate();
  await store.updatePlan('free', { maxMailboxes: -1, maxMessagesPerMailbox: -1, maxMessageBytes: 32 * MB });
  await store.close();
  serve = await startServe({
    env: { INBOXD_DATA_DIR: dir, INBOXD_SMTP_MAX_MESSAGE_BYTES: String(32 * MB), INBOXD_SMTP_MAX_BUFFERED_BYTES: String(BUDGET), INBOXD_SWEEP_INTERVAL: '3600' },
  });
  const res = await fetch(`${serve.http}/api/v1/mailboxes?ttl_minutes=30`, { method: 'POST' });
  box = ((await res.json()) as { address: string }).address;
  // the parser worker and the statement cache exist before anything is measured
  expect(await send(1 * MB, 'warm')).toBe(250);
  // starting a serve process from source takes seconds on a loaded machine
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('resident memory of a real serve process taking in large messages', () => {
  it(`one 20 MB message raises the peak RSS by at most ${SINGLE_BOUND}x its size`, async () => {
    let code = 0;
    const rise = await peakRise(async () => {
      code = await send(20 * MB, 'single');
    });
    expect(code).toBe(250);
    expect(rise / (20 * MB)).toBeLessThanOrEqual(SINGLE_BOUND);
  });

  it(`16 concurrent 6 MB messages over a ${BUDGET / MB} MB budget raise the peak RSS by at most ${BUDGET_BOUND}x the budget`, async () => {
    let codes: number[] = [];
    const rise = await peakRise(async () => {
      codes = await Promise.all(Array.from({ length: 16 }, (_, i) => send(6 * MB, `c${i}`)));
    });
    // some are stored, the rest answered 451 4.3.0 (server_busy) and would be retried
    expect(codes.filter((c) => c === 250).length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 250 || c === 451)).toBe(true);
    expect(rise / BUDGET).toBeLessThanOrEqual(BUDGET_BOUND);
  });
});
