// The Bus contract against Redis (INBOXD_TEST_REDIS_URL), under a key prefix of its own; plus what
// only Redis has: one subscriber connection per process, prefix isolation, and TLS by URL.
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { describeScale, uniqueName } from '../support/scale-env.js';
import { addr, describeBusContract, listen, newMessage } from './bus.contract.js';

describeScale('INBOXD_TEST_REDIS_URL', 'Redis bus', (urls) => {
  const url = urls.INBOXD_TEST_REDIS_URL;
  const keyPrefix = `${uniqueName('t')}:`;
  const make = () => createRedisBus({ url, keyPrefix });
  describeBusContract('redis', make, { makePeer: make });

  let bus: RedisBus;
  let observer: Redis;
  beforeAll(async () => {
    bus = await make();
    observer = new Redis(url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await bus?.close();
    observer?.disconnect();
  });

  const numsub = async (address: string): Promise<number> => {
    const reply = (await observer.pubsub('NUMSUB', `inboxd:${keyPrefix}mailbox:${address}`)) as [string, number];
    return Number(reply[1]);
  };

  it('names channels inboxd:<prefix>mailbox:<address>, live as soon as subscribe resolves', async () => {
    const a = addr();
    const inbox = await listen(bus, a);
    // subscribe resolved only after Redis acknowledged it: the channel is already counted
    expect(await numsub(a)).toBe(1);
    await observer.publish(`inboxd:${keyPrefix}mailbox:${a}`, JSON.stringify(newMessage(a, 9)));
    expect(await inbox.waitFor(1)).toEqual([newMessage(a, 9)]);
    inbox.unsubscribe();
  });

  it('uses one Redis subscription per process however many handlers listen, and drops it with the last', async () => {
    const a = addr();
    const inboxes = await Promise.all(Array.from({ length: 25 }, () => listen(bus, a)));
    expect(await numsub(a)).toBe(1);
    await bus.publish(a, newMessage(a, 1));
    for (const i of inboxes) expect(await i.waitFor(1)).toEqual([newMessage(a, 1)]);
    for (const i of inboxes.slice(1)) i.unsubscribe();
    expect(await numsub(a)).toBe(1);
    inboxes[0]!.unsubscribe();
    // UNSUBSCRIBE is sent without waiting; Redis sees it promptly (bounded poll)
    for (let i = 0; i < 50 && (await numsub(a)) !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await numsub(a)).toBe(0);
  });

  it('keeps deployments with different key prefixes apart', async () => {
    const other = await createRedisBus({ url, keyPrefix: `${uniqueName('other')}:` });
    try {
      const a = addr();
      const theirs = await listen(other, a);
      const ours = await listen(bus, a);
      await bus.publish(a, newMessage(a, 1));
      await other.publish(a, newMessage(a, 2));
      expect(await ours.waitFor(1)).toEqual([newMessage(a, 1)]);
      expect(await theirs.waitFor(1)).toEqual([newMessage(a, 2)]);
      expect(ours.events).toHaveLength(1);
      expect(bus.publishFailures).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('speaks TLS when the URL says rediss://', async () => {
    // a plain TCP listener is enough to see which protocol the client opens with
    const server = createServer();
    const firstByte = new Promise<number>((resolve) => server.once('connection', (s) => s.once('data', (d: Buffer) => (resolve(d[0]!), s.destroy()))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const tls = await createRedisBus({ url: `rediss://127.0.0.1:${port}`, subscribeTimeoutMs: 200, maxReconnectDelayMs: 50 });
    try {
      expect(await firstByte).toBe(0x16); // TLS record type: handshake
      expect(await tls.healthy()).toBe(false);
    } finally {
      await tls.close();
      server.close();
    }
  });
});
