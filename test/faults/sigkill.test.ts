/**
 * "250 means on disk" (DESIGN rule 6), proven by crashing: a real `inboxd serve` process is
 * SIGKILLed in the middle of a 16-connection ingest, restarted on the same data, and every
 * message that got its 250 must be readable through the REST raw endpoint with the same bytes
 * (SHA-256 compared), on SQLite and on PostgreSQL. A message in flight when the process died
 * may or may not be there (its sender never heard 250, so it would retry); none may be missing.
 *
 * And Redis stopped and restarted mid-stream: every acknowledged message is stored, and
 * WebSocket clients that reconnect with `since` see every message exactly once.
 *
 * Every wait is bounded; only processes started here are ended, by their pid.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Inboxd, startInboxd } from '../../src/roles.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/core/store.js';
import { connectWs, type WsClient } from '../support/harness.js';
import { eventually, freePort, REDIS_SERVER, ThrowawayRedis } from '../support/fault-tools.js';
import { describeScale, dropSchema, uniqueName } from '../support/scale-env.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';
import { makeMessage, openSender, type SmtpSender } from '../support/smtp-load.js';

const CONNECTIONS = 16;
const MAILBOXES = 4;
/** the kill comes after this many 250s (or after KILL_AFTER_MS, whichever is first). */
const KILL_AFTER_ACKS = 300;
const KILL_AFTER_MS = 4_000;

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** lifts the seeded free plan's caps so anonymous mailboxes take as much mail as the test sends. */
async function prepare(store: Store): Promise<void> {
  await store.migrate();
  await store.updatePlan('free', { maxMailboxes: -1, maxMessagesPerMailbox: -1 });
  await store.close();
}

interface Box {
  address: string;
  token: string;
}

async function createMailboxes(http: string, n: number): Promise<Box[]> {
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${http}/api/v1/mailboxes?ttl_minutes=30`, { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { address: string; session_token: string };
    boxes.push({ address: body.address, token: body.session_token });
  }
  return boxes;
}

/** every stored message of `box`, as the SHA-256 of its raw bytes, read through the REST API. */
async function storedHashes(http: string, box: Box): Promise<string[]> {
  const headers = { 'x-session-token': box.token };
  const base = `${http}/api/v1/mailboxes/${box.address}/messages`;
  const hashes: string[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${base}?order=asc&limit=200&after_seq=${after}`, { headers });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { id: string; seq: number }[];
    for (const m of page) {
      const raw = await fetch(`${base}/${m.id}/raw`, { headers });
      expect(raw.status).toBe(200);
      hashes.push(sha256(new Uint8Array(await raw.arrayBuffer())));
    }
    if (page.length < 200) break;
    after = page[page.length - 1]!.seq;
  }
  return hashes;
}

/**
 * 16 connections send until the server dies; returns the hashes of the messages that got a 250,
 * per mailbox, and how many were in flight (sent, no answer) when it died.
 */
async function ingestUntilKilled(server: ServeProcess, boxes: Box[]): Promise<{ acked: Map<string, string[]>; inFlight: number }> {
  const acked = new Map(boxes.map((b) => [b.address, [] as string[]]));
  let total = 0;
  let inFlight = 0;
  let killing: Promise<void> | null = null;
  const kill = () => (killing ??= server.kill());
  const timer = setTimeout(kill, KILL_AFTER_MS);
  const senders: SmtpSender[] = await Promise.all(Array.from({ length: CONNECTIONS }, () => openSender(server.smtpPort)));
  await Promise.all(
    senders.map(async (s, c) => {
      // bounded: the kill ends it long before this many
      for (let i = 0; i < 100_000; i++) {
        const box = boxes[(c + i) % boxes.length]!;
        const body = makeMessage(`k${c}-${i}-${Date.now()}`, box.address, i % 7 === 0 ? 20_000 : 2_000);
        inFlight++;
        let res;
        try {
          res = await s.send('load@example.com', [box.address], body);
        } catch {
          return; // the server is gone: this message's fate is unknown to its sender
        }
        inFlight--;
        expect(res.code, res.reply).toBe(250);
        acked.get(box.address)!.push(sha256(body));
        if (++total >= KILL_AFTER_ACKS) void kill();
      }
    }),
  );
  clearTimeout(timer);
  await kill();
  for (const s of senders) s.destroy();
  return { acked, inFlight };
}

async function crashAndCheck(env: Record<string, string>): Promise<void> {
  const first = await startServe({ env });
  let second: ServeProcess | null = null;
  try {
    const boxes = await createMailboxes(first.http, MAILBOXES);
    const { acked, inFlight } = await ingestUntilKilled(first, boxes);
    expect(first.child.signalCode).toBe('SIGKILL');
    const ackedCount = [...acked.values()].reduce((n, l) => n + l.length, 0);
    expect(ackedCount).toBeGreaterThan(50);

    second = await startServe({ env });
    let storedCount = 0;
    for (const box of boxes) {
      const stored = await storedHashes(second.http, box);
      storedCount += stored.length;
      const have = new Set(stored);
      const missing = acked.get(box.address)!.filter((h) => !have.has(h));
      expect(missing, `${missing.length} acknowledged messages lost in ${box.address}`).toEqual([]);
      // and no copy was stored twice
      expect(new Set(stored).size).toBe(stored.length);
    }
    // at most the messages in flight at the kill may be there unacknowledged
    expect(storedCount).toBeGreaterThanOrEqual(ackedCount);
    expect(storedCount - ackedCount).toBeLessThanOrEqual(inFlight);
  } finally {
    await first.kill();
    await second?.stop();
  }
}

describe('SIGKILL during ingest (SQLite)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('loses no acknowledged message and keeps its bytes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-kill-'));
    dirs.push(dataDir);
    await prepare(new SqliteStore({ file: join(dataDir, 'inboxd.db'), synchronous: 'full' }));
    await crashAndCheck({ INBOXD_DATA_DIR: dataDir, INBOXD_PARSE_WORKERS: '1', INBOXD_SWEEP_INTERVAL: '3600' });
  }, 60_000);
});

describeScale('INBOXD_TEST_DATABASE_URL', 'SIGKILL during ingest (PostgreSQL)', (urls) => {
  const url = urls.INBOXD_TEST_DATABASE_URL;
  const schema = uniqueName('kill');
  afterAll(() => dropSchema(url, schema));

  it('loses no acknowledged message and keeps its bytes', async () => {
    await prepare(await createPostgresStore({ url, poolSize: 2, schema }));
    await crashAndCheck({
      INBOXD_DATABASE_URL: url,
      INBOXD_DATABASE_SCHEMA: schema,
      INBOXD_DATABASE_POOL_SIZE: '8',
      INBOXD_PARSE_WORKERS: '1',
      INBOXD_SWEEP_INTERVAL: '3600',
    });
  }, 60_000);
});

// ── Redis stopped and restarted mid-stream ─────────────────────────────────────────────────────

/**
 * A WebSocket client as a careful test suite writes one: it remembers the highest seq it has
 * seen without a gap, and whenever its stream ends or shows a gap (events published while the
 * bus was down never reach a stream that stayed open), it reconnects with `since` = that seq.
 * Every seq it accepts is recorded in `seen`, duplicates included, so the test can count them.
 */
class ReconnectingWatcher {
  readonly seen: number[] = [];
  contiguous = 0;
  connections = 0;
  private ws: WsClient | null = null;
  private stopped = false;
  private loop: Promise<void>;

  constructor(
    private readonly wsBase: string,
    private readonly box: Box,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let ws: WsClient;
      try {
        ws = await connectWs(`${this.wsBase}/ws/inbox/${this.box.address}?token=${this.box.token}&since=${this.contiguous}`);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      this.ws = ws;
      this.connections++;
      let gap = false;
      const onEvent = (data: Buffer) => {
        const ev = JSON.parse(data.toString()) as { event: string; seq?: number };
        if (ev.event !== 'new_message' || gap) return;
        if (ev.seq === this.contiguous + 1) {
          this.seen.push(ev.seq);
          this.contiguous = ev.seq;
        } else if (ev.seq! > this.contiguous + 1) {
          gap = true; // missed some: start again from what we have
          ws.close();
        } else this.seen.push(ev.seq!); // a repeat: recorded, so the test fails on it
      };
      ws.socket.on('message', onEvent);
      // the harness client also buffers events; ours are handled above
      await ws.closed;
      this.ws = null;
      if (!this.stopped) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** drops the connection, as a network blip would; the loop reconnects with `since`. */
  blip(): void {
    this.ws?.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ws?.close();
    await this.loop;
  }
}

describeScale(['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL'], 'Redis stopped and restarted mid-stream', (urls) => {
  const schema = uniqueName('redisfault');
  let redis: ThrowawayRedis;
  let inboxd: Inboxd;

  beforeAll(async () => {
    if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is needed to stop and restart Redis`);
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-redisfault-'));
    const config = loadConfig({
      overrides: {
        http_port: 0,
        smtp_port: 0,
        data_dir: dataDir,
        log_level: 'silent',
        sweep_interval: 3600,
        parse_workers: 1,
        database_url: urls.INBOXD_TEST_DATABASE_URL,
        database_schema: schema,
        database_pool_size: 4,
        redis_url: `redis://127.0.0.1:${redis.port}`,
        redis_key_prefix: `${schema}:`,
      },
    });
    inboxd = await startInboxd(config);
    await inboxd.core.store.updatePlan('free', { maxMailboxes: -1, maxMessagesPerMailbox: -1 });
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await inboxd?.close();
    await redis?.kill();
    await dropSchema(urls.INBOXD_TEST_DATABASE_URL, schema);
  });

  it('acknowledges and keeps every message, and reconnecting clients see each one once', async () => {
    const http = inboxd.http!.url;
    const [box] = await createMailboxes(http, 1);
    const watchers = [new ReconnectingWatcher(http.replace(/^http/, 'ws'), box!), new ReconnectingWatcher(http.replace(/^http/, 'ws'), box!)];
    expect(await eventually(() => watchers.every((w) => w.connections > 0), 5000)).toBe(true);

    const senders = await Promise.all(Array.from({ length: 4 }, () => openSender(inboxd.smtp!.port)));
    const sentHashes: string[] = [];
    let n = 0;
    const sendBatch = async (count: number) => {
      await Promise.all(
        senders.map(async (s) => {
          for (let i = 0; i < count / senders.length; i++) {
            const body = makeMessage(`r${n++}`, box!.address, 2_000);
            const res = await s.send('load@example.com', [box!.address], body);
            expect(res.code, res.reply).toBe(250);
            sentHashes.push(sha256(body));
          }
        }),
      );
    };

    await sendBatch(40);
    expect(await eventually(() => watchers.every((w) => w.contiguous === 40), 5000)).toBe(true);

    await redis.kill();
    const bus = inboxd.core.bus as { healthy(): Promise<boolean> };
    expect(await eventually(async () => !(await bus.healthy()), 5000)).toBe(true);
    // one watcher drops its connection now: its reconnections are refused while the bus is down
    watchers[1]!.blip();
    // mail keeps arriving while the bus is down: stored and acknowledged, events not delivered
    await sendBatch(40);

    await redis.start();
    expect(await eventually(() => bus.healthy(), 10_000)).toBe(true);
    await sendBatch(40);

    // both catch up: the stream that stayed open is replayed from the store when the bus comes
    // back; the other reconnected with `since` as soon as the bus took subscriptions again
    const caughtUp = await eventually(() => watchers.every((w) => w.contiguous === 120), 15_000);
    await Promise.all(senders.map((s) => s.quit()));
    await Promise.all(watchers.map((w) => w.stop()));
    expect(caughtUp, `watchers at ${watchers.map((w) => w.contiguous).join(', ')} of 120`).toBe(true);
    const expected = Array.from({ length: 120 }, (_, i) => i + 1);
    for (const w of watchers) expect(w.seen).toEqual(expected);
    // the stream that stayed open through the outage was caught up by the server itself (the bus
    // tells it Redis is back and it replays from the store): it never had to reconnect
    expect(watchers[0]!.connections).toBe(1);

    const stored = await storedHashes(http, box!);
    expect(stored.length).toBe(120);
    expect(new Set(stored)).toEqual(new Set(sentHashes));
  }, 60_000);
});
