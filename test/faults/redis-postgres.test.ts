/**
 * The scale pair under failure: what the outside world sees while Redis or PostgreSQL is gone,
 * and that both recover by themselves, with the same objects, once it is back.
 * - Redis: a throwaway redis-server child on a free loopback port (the shared one is never
 *   touched), killed by its pid and restarted on the same port.
 * - PostgreSQL: the store talks through a TCP proxy written here, which is shut (listener closed,
 *   every socket destroyed) and reopened; and real 57P01 errors from pg_terminate_backend.
 * Every wait is a bounded poll; only processes started here are ended, by their pid.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { DomainError } from '../../src/core/errors.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import type { NewMessage } from '../../src/core/store.js';
import { addr, listen, newMessage } from '../contracts/bus.contract.js';
import { CuttableProxy } from '../support/tcp-proxy.js';
import { eventually, freePort, REDIS_SERVER, ThrowawayRedis } from '../support/fault-tools.js';
import { describeScale, uniqueName, useFreshSchema } from '../support/scale-env.js';

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// ── Redis ──────────────────────────────────────────────────────────────────────────────────────

describeScale('INBOXD_TEST_REDIS_URL', 'Redis outage', () => {
  let server: ThrowawayRedis;
  let a: RedisBus;
  let b: RedisBus;
  let observer: Redis;
  const keyPrefix = `${uniqueName('fault')}:`;

  beforeAll(async () => {
    if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is needed to simulate a Redis outage`);
    server = new ThrowawayRedis(await freePort());
    await server.start();
    const url = `redis://127.0.0.1:${server.port}`;
    const opts = { url, keyPrefix, commandTimeoutMs: 500, subscribeTimeoutMs: 500, maxReconnectDelayMs: 100 };
    [a, b] = await Promise.all([createRedisBus(opts), createRedisBus(opts)]);
    observer = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    observer.on('error', () => undefined);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    observer?.disconnect();
    await server?.kill();
  });

  it('fails fast while Redis is down and recovers by itself, subscriptions included', async () => {
    const address = addr();
    const inbox = await listen(b, address);
    await a.publish(address, newMessage(address, 1));
    expect(await inbox.waitFor(1)).toEqual([newMessage(address, 1)]);
    expect(await a.healthy()).toBe(true);

    await server.kill();
    expect(await eventually(async () => !(await a.healthy()) && !(await b.healthy()), 5000)).toBe(true);

    const before = a.publishFailures;
    // it rejects instead of queueing until Redis returns (no offline queue); how soon is the bench's
    const err = await rejectionOf(a.publish(address, newMessage(address, 2)));
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('storage_unavailable');
    expect(a.publishFailures).toBe(before + 1);
    // a new subscription is refused, boundedly, rather than hanging a WebSocket
    const subErr = await rejectionOf(b.subscribe(addr(), () => undefined));
    expect((subErr as DomainError).code).toBe('storage_unavailable');

    await server.start();
    expect(await eventually(async () => (await a.healthy()) && (await b.healthy()), 10_000)).toBe(true);
    // ioredis re-subscribed b's channel on its own: Redis counts it again
    const channel = `inboxd:${keyPrefix}mailbox:${address}`;
    expect(await eventually(async () => Number(((await observer.pubsub('NUMSUB', channel)) as [string, number])[1]) === 1, 5000)).toBe(true);
    await a.publish(address, newMessage(address, 3));
    expect(await inbox.waitFor(2)).toEqual([newMessage(address, 1), newMessage(address, 3)]);

    // and fresh subscriptions work again
    const later = addr();
    const fresh = await listen(b, later);
    await a.publish(later, newMessage(later, 1));
    expect(await fresh.waitFor(1)).toEqual([newMessage(later, 1)]);
  });
});

// ── PostgreSQL ─────────────────────────────────────────────────────────────────────────────────

describeScale('INBOXD_TEST_DATABASE_URL', 'PostgreSQL outage', (urls) => {
  const url = urls.INBOXD_TEST_DATABASE_URL;
  const schema = useFreshSchema(url);
  let proxy: CuttableProxy;
  let store: PostgresStore;
  const appName = uniqueName('fault');

  beforeAll(async () => {
    const target = new URL(url);
    proxy = new CuttableProxy(target.hostname || '127.0.0.1', Number(target.port || 5432));
    await proxy.open();
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    store = await createPostgresStore({ url: viaProxy.toString(), poolSize: 3, schema, connectTimeoutMs: 1000, applicationName: appName });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.cut();
  });

  const mailboxInput = () => ({
    address: `${uniqueName('f')}@inboxd.test`,
    domain: 'inboxd.test',
    ownerType: 'api' as const,
    ownerId: uniqueName('o'),
    tokenHash: null,
    plan: 'free',
    group: null,
    expiresAt: Date.now() + 3_600_000,
  });
  const rules = () => ({ now: Date.now(), maxMailboxes: -1, quarantineMs: 0 });
  const message = (mailboxId: string): NewMessage => ({
    mailboxId,
    tag: null,
    receivedAt: Date.now(),
    size: 3,
    source: 'smtp',
    envelopeFrom: null,
    verdicts: null,
    content: { from: null, to: [], cc: [], subject: 'hi', messageIdHeader: null, date: null, bodyText: null, bodyHtml: null, headers: [], attachments: [], codes: [], links: [], parseError: null },
    raw: Buffer.from('x\r\n'),
    maxMessages: -1,
    now: Date.now(),
  });

  it('answers storage_unavailable while the database is unreachable, then recovers without a new store', async () => {
    const mb = await store.createMailbox(mailboxInput(), rules());
    expect(await store.getPlan('free')).not.toBeNull();

    await proxy.cut();
    const attempts: [string, () => Promise<unknown>][] = [
      ['ping', () => store.ping()],
      ['getPlan', () => store.getPlan('free')],
      ['createMailbox', () => store.createMailbox(mailboxInput(), rules())],
      ['getMailboxById', () => store.getMailboxById(mb.id)],
      ['insertMessages', () => store.insertMessages([message(mb.id)])],
      ['listMessages', () => store.listMessages(mb.id, { limit: 10 })],
      ['expireMailboxes', () => store.expireMailboxes(Date.now(), 10)],
    ];
    for (const [name, attempt] of attempts) {
      const err = await rejectionOf(attempt());
      expect(err, name).toBeInstanceOf(DomainError);
      expect((err as DomainError).code, name).toBe('storage_unavailable');
    }
    await expect(store.migrate()).rejects.toMatchObject({ code: 'storage_unavailable' });

    await proxy.open();
    expect(await eventually(async () => (await store.ping(), true), 10_000)).toBe(true);
    const again = await store.createMailbox(mailboxInput(), rules());
    const [ins] = await store.insertMessages([message(again.id)]);
    expect(ins?.seq).toBe(1);
  });

  it('a cluster lock whose connection dies is released, and can be taken again once back', async () => {
    const name = uniqueName('lock');
    const err = await rejectionOf(
      store.runExclusive(name, async () => {
        await proxy.cut();
        return store.ping();
      }),
    );
    expect((err as DomainError).code).toBe('storage_unavailable');
    await proxy.open();
    // the session that held the lock is gone, so PostgreSQL released it
    expect(await eventually(async () => (await store.runExclusive(name, async () => 'mine')) === 'mine', 10_000)).toBe(true);
  });

  it('replaces connections the server terminated (57P01) without a restart', async () => {
    // warm the pool, then have PostgreSQL itself kill every session of this store
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [appName]);
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const seen: unknown[] = [];
    const ok = await eventually(async () => {
      try {
        await store.ping();
        return true;
      } catch (err) {
        seen.push(err);
        return false;
      }
    }, 10_000, 20);
    expect(ok).toBe(true);
    for (const err of seen) expect((err as DomainError).code).toBe('storage_unavailable');
    expect(await store.getPlan('free')).not.toBeNull();
  });
});
