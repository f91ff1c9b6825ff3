/**
 * The Bus contract: one suite for every implementation (bus.memory.test.ts, bus.redis.test.ts).
 * Deliveries may be asynchronous (Redis), so negative assertions never sleep: they publish a
 * sentinel after the event that must not arrive and wait for the sentinel instead, relying on
 * per-publisher ordering.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, keyRevokedEvent, type MailboxEvent, type NewMessageEvent } from '../../src/core/events.js';

const WAIT_MS = 5000;

export interface BusContractOptions {
  /** another bus on the same transport (another node); when given, cross-instance delivery is tested. */
  makePeer?: () => Promise<Bus>;
}

/** collects what one subscription receives and waits for it, bounded. */
export interface Inbox {
  events: MailboxEvent[];
  unsubscribe: () => void;
  /** resolves once `count` events have arrived. */
  waitFor(count: number): Promise<MailboxEvent[]>;
}

export async function listen(bus: Bus, address: string): Promise<Inbox> {
  const events: MailboxEvent[] = [];
  const waiters: (() => void)[] = [];
  const unsubscribe = await bus.subscribe(address, (e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  return {
    events,
    unsubscribe,
    async waitFor(count) {
      const deadline = Date.now() + WAIT_MS;
      while (events.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} events on ${address}, got ${events.length}: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return events;
    },
  };
}

export const addr = (): string => `c-${randomBytes(5).toString('hex')}@inboxd.test`;

export function newMessage(address: string, seq: number): NewMessageEvent {
  return { event: 'new_message', message_id: `id-${seq}`, seq, address, from: 'a@example.com', subject: `s${seq}`, received_at: new Date(0).toISOString() };
}

export function describeBusContract(name: string, makeBus: () => Promise<Bus>, options: BusContractOptions = {}): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await makeBus();
    });
    afterAll(async () => {
      await bus?.close();
    });

    it('delivers a published event to a subscriber, in publish order, as the same object shape', async () => {
      const a = addr();
      const inbox = await listen(bus, a);
      const events: MailboxEvent[] = [
        newMessage(a, 1),
        { event: 'message_deleted', address: a, message_id: 'id-1', seq: 1 },
        { event: 'mailbox_expired', address: a, expires_at: new Date(1000).toISOString() },
        { event: 'mailbox_deleted', address: a },
      ];
      for (const e of events) await bus.publish(a, e);
      expect(await inbox.waitFor(4)).toEqual(events);
      inbox.unsubscribe();
    });

    it('delivers to every subscriber of one address', async () => {
      const a = addr();
      const one = await listen(bus, a);
      const two = await listen(bus, a);
      await bus.publish(a, newMessage(a, 1));
      expect(await one.waitFor(1)).toEqual([newMessage(a, 1)]);
      expect(await two.waitFor(1)).toEqual([newMessage(a, 1)]);
      one.unsubscribe();
      two.unsubscribe();
    });

    it('stops delivering to an unsubscribed handler, and only to it', async () => {
      const a = addr();
      const gone = await listen(bus, a);
      const stays = await listen(bus, a);
      gone.unsubscribe();
      gone.unsubscribe(); // safe twice
      await bus.publish(a, newMessage(a, 1));
      await stays.waitFor(1);
      expect(gone.events).toEqual([]);

      // the last handler leaving, then a new one arriving, still works
      stays.unsubscribe();
      const back = await listen(bus, a);
      await bus.publish(a, newMessage(a, 2));
      expect(await back.waitFor(1)).toEqual([newMessage(a, 2)]);
      expect(stays.events).toEqual([newMessage(a, 1)]);
      back.unsubscribe();
    });

    it('keeps addresses apart', async () => {
      const a = addr();
      const b = addr();
      const inA = await listen(bus, a);
      const inB = await listen(bus, b);
      await bus.publish(a, newMessage(a, 1));
      await bus.publish(b, newMessage(b, 7));
      expect(await inB.waitFor(1)).toEqual([newMessage(b, 7)]);
      expect(await inA.waitFor(1)).toEqual([newMessage(a, 1)]);
      inA.unsubscribe();
      inB.unsubscribe();
    });

    it('publishing to an address nobody listens to is fine', async () => {
      await expect(bus.publish(addr(), newMessage('x@inboxd.test', 1))).resolves.toBeUndefined();
    });

    it('isolates a throwing handler from the others', async () => {
      const a = addr();
      const unsub = await bus.subscribe(a, () => {
        throw new Error('bad subscriber');
      });
      const ok = await listen(bus, a);
      await bus.publish(a, newMessage(a, 1));
      await bus.publish(a, newMessage(a, 2));
      expect(await ok.waitFor(2)).toEqual([newMessage(a, 1), newMessage(a, 2)]);
      unsub();
      ok.unsubscribe();
    });

    it('reports itself healthy', async () => {
      expect(await bus.healthy()).toBe(true);
    });

    it('carries control events (key revocations) to every control listener, apart from mailbox channels', async () => {
      const got: unknown[] = [];
      const stop = await bus.subscribeControl((e) => got.push(e));
      const a = addr();
      const mail = await listen(bus, a);
      const keyId = `k-${randomBytes(4).toString('hex')}`;
      await bus.publishControl(keyRevokedEvent(keyId));
      // ordering per publisher: once the sentinel arrived, the control event had its chance
      await bus.publish(a, newMessage(a, 1));
      await mail.waitFor(1);
      for (let i = 0; i < 100 && !got.some((e) => (e as { key_id?: string }).key_id === keyId); i++) await new Promise((r) => setTimeout(r, 20));
      expect(got).toContainEqual({ event: 'key_revoked', key_id: keyId });
      expect(mail.events).toEqual([newMessage(a, 1)]);
      stop();
      mail.unsubscribe();
    });

    if (options.makePeer) {
      const makePeer = options.makePeer;
      it('delivers across instances: published on one node, heard on another', async () => {
        const peer = await makePeer();
        try {
          const a = addr();
          const here = await listen(bus, a);
          const there = await listen(peer, a);
          await bus.publish(a, newMessage(a, 1));
          await peer.publish(a, newMessage(a, 2));
          expect(await there.waitFor(2)).toEqual(expect.arrayContaining([newMessage(a, 1), newMessage(a, 2)]));
          expect(await here.waitFor(2)).toEqual(expect.arrayContaining([newMessage(a, 1), newMessage(a, 2)]));
          // a revocation published on one node reaches the control listeners of the other
          const heard = new Promise<unknown>((resolve) => void peer.subscribeControl(resolve).then(() => bus.publishControl(keyRevokedEvent('k-across'))));
          expect(await heard).toEqual({ event: 'key_revoked', key_id: 'k-across' });
        } finally {
          await peer.close();
        }
      });
    }
  });
}
