/**
 * The Store contract: one suite, run unchanged against every implementation
 * (store.sqlite.test.ts, store.postgres.test.ts). The SQLite store is the reference; a behaviour
 * written here holds on both or it is a bug. Tests share one store per file and isolate through
 * fresh owners and addresses, never by truncating tables; sweeping calls (expire, purge) act on
 * the whole database, so their assertions look only at this test's own rows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.js';
import type { DeliveryAttempt, MessageContent } from '../../src/core/types.js';
import type { NewMailbox, NewMessage, Store } from '../../src/core/store.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

let n = 0;
const uniq = (): string => `${Date.now().toString(36)}${(++n).toString(36)}${randomBytes(3).toString('hex')}`;

function content(overrides: Partial<MessageContent> = {}): MessageContent {
  return {
    from: { address: 'sender@example.com', name: 'Sender' },
    to: [{ address: 'to@inboxd.test', name: '' }],
    cc: [],
    subject: 'Your code',
    messageIdHeader: '<m1@example.com>',
    date: 'Tue, 01 Jan 2030 00:00:00 +0000',
    bodyText: 'code 123456',
    bodyHtml: null,
    headers: [{ name: 'Subject', value: 'Your code' }],
    attachments: [],
    codes: [{ value: '123456', source: 'text', context: 'code 123456' }],
    links: [],
    parseError: null,
    ...overrides,
  };
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw new Error(`expected a DomainError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection');
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  expect((await rejection(p)).code).toBe(code);
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const now = Date.now();

    beforeAll(async () => {
      store = await makeStore();
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
    });

    function newMailbox(over: Partial<NewMailbox> = {}): NewMailbox {
      const local = `box-${uniq()}`;
      return {
        address: `${local}@inboxd.test`,
        domain: 'inboxd.test',
        ownerType: 'api',
        ownerId: `owner-${uniq()}`,
        tokenHash: null,
        plan: 'free',
        group: null,
        expiresAt: now + 60 * MINUTE,
        ...over,
      };
    }

    const rules = (over: Partial<{ now: number; maxMailboxes: number; quarantineMs: number }> = {}) => ({
      now,
      maxMailboxes: -1,
      quarantineMs: 30 * DAY,
      ...over,
    });

    function newMessage(mailboxId: string, over: Partial<NewMessage> = {}): NewMessage {
      return {
        mailboxId,
        tag: null,
        receivedAt: now,
        size: 100,
        source: 'smtp',
        envelopeFrom: 'bounce@example.com',
        verdicts: null,
        content: content(),
        raw: Buffer.from('Subject: Your code\r\n\r\ncode 123456\r\n'),
        maxMessages: -1,
        now,
        ...over,
      };
    }

    // ── lifecycle ──────────────────────────────────────────────────────────────────────────────

    it('migrate is idempotent and ping answers', async () => {
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    // ── plans ──────────────────────────────────────────────────────────────────────────────────

    it('seeds the free and pro plans', async () => {
      const plans = await store.listPlans();
      expect(plans.map((p) => p.name)).toEqual(expect.arrayContaining(['free', 'pro']));
      expect(await store.getPlan('free')).toEqual({
        name: 'free',
        maxMailboxes: 10,
        maxMessagesPerMailbox: 50,
        defaultTtlMinutes: 60,
        maxTtlMinutes: 1440,
        maxMessageBytes: 10_485_760,
      });
      expect(await store.getPlan(`nope-${uniq()}`)).toBeNull();
    });

    it('creates, refuses a duplicate of, and updates a plan', async () => {
      const plan = { name: `plan-${uniq()}`, maxMailboxes: 3, maxMessagesPerMailbox: -1, defaultTtlMinutes: 10, maxTtlMinutes: 20, maxMessageBytes: 1000 };
      expect(await store.createPlan(plan)).toEqual(plan);
      await expectCode(store.createPlan(plan), 'already_exists');
      const updated = await store.updatePlan(plan.name, { maxMailboxes: 7, maxMessageBytes: 5_000_000_000 });
      expect(updated).toEqual({ ...plan, maxMailboxes: 7, maxMessageBytes: 5_000_000_000 });
      expect(await store.getPlan(plan.name)).toEqual(updated);
      expect((await store.listPlans()).map((p) => p.name)).toContain(plan.name);
      await expectCode(store.updatePlan(`nope-${uniq()}`, { maxMailboxes: 1 }), 'not_found');
    });

    // ── users and keys ─────────────────────────────────────────────────────────────────────────

    it('creates users, refuses a duplicate email or an unknown plan, and finds them', async () => {
      const email = `u-${uniq()}@example.com`;
      const user = await store.createUser({ email, plan: 'pro' });
      expect(user).toMatchObject({ email, plan: 'pro', active: true });
      expect(typeof user.id).toBe('string');
      await expectCode(store.createUser({ email, plan: 'free' }), 'already_exists');
      await expectCode(store.createUser({ email: `x-${uniq()}@example.com`, plan: `nope-${uniq()}` }), 'invalid_input');
      expect(await store.getUserByEmail(email)).toEqual(user);
      expect(await store.getUser(user.id)).toEqual(user);
      expect(await store.getUser(`nope-${uniq()}`)).toBeNull();
      expect(await store.getUserByEmail(`nope-${uniq()}@example.com`)).toBeNull();
      expect((await store.listUsers()).map((u) => u.id)).toContain(user.id);
    });

    it('looks an API key up by its hash, with its user, and records its last use', async () => {
      const user = await store.createUser({ email: `k-${uniq()}@example.com`, plan: 'free' });
      const keyHash = randomBytes(32).toString('hex');
      const key = await store.createApiKey({ userId: user.id, name: 'ci', keyHash, prefix: 'ibx_abcdef' });
      expect(key).toMatchObject({ userId: user.id, name: 'ci', prefix: 'ibx_abcdef', lastUsedAt: null, active: true });
      expect(key).not.toHaveProperty('keyHash');

      const found = await store.findApiKey(keyHash, now + 5);
      expect(found?.key.id).toBe(key.id);
      expect(found?.user).toEqual(user);
      expect(await store.findApiKey(randomBytes(32).toString('hex'), now)).toBeNull();

      const listed = await store.listApiKeys(user.id);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: key.id, lastUsedAt: now + 5 });
    });

    it('revokes an API key at once, only for its owner when one is named', async () => {
      const user = await store.createUser({ email: `r-${uniq()}@example.com`, plan: 'free' });
      const other = await store.createUser({ email: `o-${uniq()}@example.com`, plan: 'free' });
      const keyHash = randomBytes(32).toString('hex');
      const key = await store.createApiKey({ userId: user.id, name: 'ci', keyHash, prefix: 'ibx_revoke' });
      expect(await store.apiKeyActive(key.id)).toBe(true);
      expect(await store.revokeApiKey(key.id, other.id)).toBeNull();
      expect(await store.apiKeyActive(key.id)).toBe(true);
      expect(await store.revokeApiKey(key.id, user.id)).toMatchObject({ id: key.id, active: false });
      expect(await store.findApiKey(keyHash, now)).toBeNull();
      expect(await store.apiKeyActive(key.id)).toBe(false);
      // revoking again is harmless; an unknown id is null
      expect(await store.revokeApiKey(key.id)).toMatchObject({ id: key.id, active: false });
      expect(await store.revokeApiKey(`nope-${uniq()}`)).toBeNull();
      expect((await store.listApiKeys(user.id)).map((k) => k.active)).toEqual([false]);
    });

    // ── mailboxes ──────────────────────────────────────────────────────────────────────────────

    it('creates a mailbox and finds it by address, id and token hash', async () => {
      const tokenHash = randomBytes(32).toString('hex');
      const input = newMailbox({ ownerType: 'anonymous', tokenHash, group: 'ci-run-1' });
      const mb = await store.createMailbox(input, rules());
      expect(mb).toMatchObject({
        address: input.address,
        domain: 'inboxd.test',
        ownerType: 'anonymous',
        ownerId: input.ownerId,
        tokenHash,
        plan: 'free',
        group: 'ci-run-1',
        createdAt: now,
        expiresAt: input.expiresAt,
        active: true,
        lastSeq: 0,
        messageCount: 0,
        deletedAt: null,
      });
      expect(await store.getMailbox(input.address)).toEqual(mb);
      expect(await store.getMailboxById(mb.id)).toEqual(mb);
      expect(await store.getMailboxByTokenHash(tokenHash)).toEqual(mb);
      expect(await store.getMailbox(`nope-${uniq()}@inboxd.test`)).toBeNull();
      expect(await store.getMailboxById(`nope-${uniq()}`)).toBeNull();
      expect(await store.getMailboxByTokenHash(randomBytes(32).toString('hex'))).toBeNull();
    });

    it('refuses a live address to anyone, and holds the owner cap (expired ones do not count)', async () => {
      const first = newMailbox();
      await store.createMailbox(first, rules());
      await expectCode(store.createMailbox({ ...first }, rules()), 'address_taken');
      await expectCode(store.createMailbox({ ...first, ownerId: `other-${uniq()}` }, rules()), 'address_taken');

      const ownerId = `capped-${uniq()}`;
      await store.createMailbox(newMailbox({ ownerId, expiresAt: now + 1000 }), rules({ maxMailboxes: 2 }));
      await store.createMailbox(newMailbox({ ownerId }), rules({ maxMailboxes: 2 }));
      const err = await rejection(store.createMailbox(newMailbox({ ownerId }), rules({ maxMailboxes: 2 })));
      expect(err.code).toBe('quota_exceeded');
      expect(err.details).toEqual({ limit: 2 });
      // once the first one has expired, it no longer counts
      await store.createMailbox(newMailbox({ ownerId }), rules({ now: now + 1000, maxMailboxes: 2 }));
      // -1 = unlimited
      await store.createMailbox(newMailbox({ ownerId }), rules({ maxMailboxes: -1 }));
    });

    it('quarantines an ended address from other owners, not from its own', async () => {
      const input = newMailbox();
      const mb = await store.createMailbox(input, rules());
      await store.deleteMailbox(mb.id, now + 10);
      const stranger = { ...input, ownerId: `stranger-${uniq()}` };
      await expectCode(store.createMailbox(stranger, rules({ now: now + 20, quarantineMs: DAY })), 'address_taken');
      // the same owner may take it back at once
      const again = await store.createMailbox({ ...input, expiresAt: now + 2 * DAY }, rules({ now: now + 20, quarantineMs: DAY }));
      expect(again.id).not.toBe(mb.id);
      expect(again.lastSeq).toBe(0);

      // an expired mailbox: quarantine counts from its expiry
      const exp = await store.createMailbox(newMailbox({ expiresAt: now + 100 }), rules());
      const other = { ...newMailbox(), address: exp.address };
      await expectCode(store.createMailbox(other, rules({ now: now + 200, quarantineMs: DAY })), 'address_taken');
      const taken = await store.createMailbox(other, rules({ now: now + 100 + DAY, quarantineMs: DAY }));
      expect(taken.ownerId).toBe(other.ownerId);
    });

    it('lists an owner\u2019s live mailboxes newest first, by owner type and group', async () => {
      const ownerId = `lister-${uniq()}`;
      const a = await store.createMailbox(newMailbox({ ownerId, group: 'g1' }), rules({ now: now + 1 }));
      const b = await store.createMailbox(newMailbox({ ownerId, ownerType: 'mcp', group: 'g1' }), rules({ now: now + 2 }));
      const c = await store.createMailbox(newMailbox({ ownerId, group: 'g2' }), rules({ now: now + 3 }));
      const gone = await store.createMailbox(newMailbox({ ownerId }), rules({ now: now + 4 }));
      await store.deleteMailbox(gone.id, now + 5);
      await store.createMailbox(newMailbox({ ownerId, expiresAt: now + 6 }), rules({ now: now + 5 }));

      const all = await store.listMailboxes({ ownerType: ['api', 'mcp'], ownerId }, now + 10);
      expect(all.map((m) => m.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.listMailboxes({ ownerType: ['api'], ownerId }, now + 10)).map((m) => m.id)).toEqual([c.id, a.id]);
      expect((await store.listMailboxes({ ownerType: ['api', 'mcp'], ownerId }, now + 10, 'g1')).map((m) => m.id)).toEqual([b.id, a.id]);
      expect(await store.listMailboxes({ ownerType: ['api'], ownerId: `nobody-${uniq()}` }, now)).toEqual([]);
    });

    it('changes a mailbox\u2019s expiry, and soft-deletes it', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const later = await store.setMailboxExpiry(mb.id, now + 5 * DAY);
      expect(later).toEqual({ ...mb, expiresAt: now + 5 * DAY });
      await expectCode(store.setMailboxExpiry(`nope-${uniq()}`, now), 'mailbox_not_found');

      await store.deleteMailbox(mb.id, now + 7);
      expect(await store.getMailboxById(mb.id)).toMatchObject({ active: false, deletedAt: now + 7 });
      // deleting again keeps the first deletion time
      await store.deleteMailbox(mb.id, now + 9);
      expect((await store.getMailboxById(mb.id))?.deletedAt).toBe(now + 7);
      await expectCode(store.insertMessages([newMessage(mb.id)]), 'mailbox_not_found');
    });

    // ── messages ───────────────────────────────────────────────────────────────────────────────

    it('gives seq 1, 2, 3 within a mailbox and counts messages', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [ins] = await store.insertMessages([newMessage(mb.id)]);
        expect(ins?.mailboxId).toBe(mb.id);
        seqs.push(ins!.seq);
      }
      expect(seqs).toEqual([1, 2, 3]);
      expect(await store.getMailboxById(mb.id)).toMatchObject({ lastSeq: 3, messageCount: 3 });
      expect(await store.insertMessages([])).toEqual([]);
    });

    it('stores one copy per recipient, each with its own seq, in input order', async () => {
      const a = await store.createMailbox(newMailbox(), rules());
      const b = await store.createMailbox(newMailbox(), rules());
      await store.insertMessages([newMessage(b.id)]);
      const out = await store.insertMessages([newMessage(a.id, { tag: 'x' }), newMessage(b.id), newMessage(a.id)]);
      expect(out.map((o) => [o.mailboxId, o.seq])).toEqual([
        [a.id, 1],
        [b.id, 2],
        [a.id, 2],
      ]);
      expect(new Set(out.map((o) => o.id)).size).toBe(3);
    });

    it('refuses delivery to an expired or unknown mailbox (expiry exact to the millisecond)', async () => {
      const mb = await store.createMailbox(newMailbox({ expiresAt: now + 1000 }), rules());
      await store.insertMessages([newMessage(mb.id, { now: now + 999 })]);
      await expectCode(store.insertMessages([newMessage(mb.id, { now: now + 1000 })]), 'mailbox_expired');
      await expectCode(store.insertMessages([newMessage(`nope-${uniq()}`)]), 'mailbox_not_found');
    });

    it('holds the per-mailbox quota', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      await store.insertMessages([newMessage(mb.id, { maxMessages: 2 })]);
      await store.insertMessages([newMessage(mb.id, { maxMessages: 2 })]);
      const err = await rejection(store.insertMessages([newMessage(mb.id, { maxMessages: 2 })]));
      expect(err.code).toBe('quota_exceeded');
      expect(err.details).toEqual({ limit: 2 });
      // two copies in one call count against the same quota
      const other = await store.createMailbox(newMailbox(), rules());
      await expectCode(store.insertMessages([newMessage(other.id, { maxMessages: 1 }), newMessage(other.id, { maxMessages: 1 })]), 'quota_exceeded');
      expect(await store.getMailboxById(other.id)).toMatchObject({ lastSeq: 0, messageCount: 0 });
    });

    it('inserts all or nothing: one refused recipient undoes the others', async () => {
      const ok = await store.createMailbox(newMailbox(), rules());
      const full = await store.createMailbox(newMailbox(), rules());
      await store.insertMessages([newMessage(full.id, { maxMessages: 1 })]);
      await expectCode(store.insertMessages([newMessage(ok.id), newMessage(full.id, { maxMessages: 1 })]), 'quota_exceeded');
      expect(await store.getMailboxById(ok.id)).toMatchObject({ lastSeq: 0, messageCount: 0 });
      expect(await store.listMessages(ok.id, { limit: 10 })).toEqual([]);
      // and the mailbox is not poisoned: the next delivery gets seq 1
      expect((await store.insertMessages([newMessage(ok.id)]))[0]?.seq).toBe(1);
    });

    it('gives 50 concurrent deliveries to one mailbox seq 1..50 with no gap or duplicate', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const results = await Promise.all(Array.from({ length: 50 }, () => store.insertMessages([newMessage(mb.id)])));
      const seqs = results.map((r) => r[0]!.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store.getMailboxById(mb.id)).toMatchObject({ lastSeq: 50, messageCount: 50 });
      const listed = await store.listMessages(mb.id, { order: 'asc', limit: 100 });
      expect(listed.map((m) => m.seq)).toEqual(seqs);
    });

    it('lets concurrent deliveries to several mailboxes succeed or fail each on its own', async () => {
      const full = await store.createMailbox(newMailbox(), rules());
      const a = await store.createMailbox(newMailbox(), rules());
      const b = await store.createMailbox(newMailbox(), rules());
      await store.insertMessages([newMessage(full.id, { maxMessages: 1 })]);
      // arriving together, these are committed together (one group) on both stores
      const settled = await Promise.allSettled([
        store.insertMessages([newMessage(a.id), newMessage(b.id)]),
        store.insertMessages([newMessage(b.id), newMessage(full.id, { maxMessages: 1 })]),
        store.insertMessages([newMessage(a.id)]),
        store.insertMessages([newMessage(`nope-${uniq()}`)]),
        store.insertMessages([newMessage(b.id, { tag: 'last' })]),
      ]);
      expect(settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as DomainError).code))).toEqual(['ok', 'quota_exceeded', 'ok', 'mailbox_not_found', 'ok']);
      // seq order across concurrent deliveries is the store's choice; no gap, no duplicate
      const copies = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
      expect(copies.filter((m) => m.mailboxId === a.id).map((m) => m.seq).sort()).toEqual([1, 2]);
      expect(copies.filter((m) => m.mailboxId === b.id).map((m) => m.seq).sort()).toEqual([1, 2]);
      expect(await store.getMailboxById(a.id)).toMatchObject({ lastSeq: 2, messageCount: 2 });
      expect(await store.getMailboxById(b.id)).toMatchObject({ lastSeq: 2, messageCount: 2 });
      expect(await store.getMailboxById(full.id)).toMatchObject({ lastSeq: 1, messageCount: 1 });
      const listed = await store.listMessages(b.id, { order: 'asc', limit: 10 });
      expect(listed.map((m) => m.tag).sort()).toEqual(['last', null]);
      for (const m of listed) expect((await store.getRawSource(b.id, m.id))?.length).toBeGreaterThan(0);
    });

    it('holds the quota under concurrent delivery', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const settled = await Promise.allSettled(Array.from({ length: 20 }, () => store.insertMessages([newMessage(mb.id, { maxMessages: 5 })])));
      const ok = settled.filter((s) => s.status === 'fulfilled');
      const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(ok).toHaveLength(5);
      expect(refused.every((r) => r.reason instanceof DomainError && r.reason.code === 'quota_exceeded')).toBe(true);
      expect(await store.getMailboxById(mb.id)).toMatchObject({ lastSeq: 5, messageCount: 5 });
    });

    it('holds the owner cap under concurrent creation (cap 3 → exactly 3)', async () => {
      const ownerId = `race-${uniq()}`;
      const settled = await Promise.allSettled(Array.from({ length: 12 }, () => store.createMailbox(newMailbox({ ownerId }), rules({ maxMailboxes: 3 }))));
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
      for (const s of settled) if (s.status === 'rejected') expect((s.reason as DomainError).code).toBe('quota_exceeded');
      expect(await store.listMailboxes({ ownerType: ['api'], ownerId }, now)).toHaveLength(3);
    });

    it('gives one address to exactly one of several concurrent creators', async () => {
      const address = `contested-${uniq()}@inboxd.test`;
      const settled = await Promise.allSettled(Array.from({ length: 8 }, () => store.createMailbox(newMailbox({ address }), rules())));
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      for (const s of settled) if (s.status === 'rejected') expect((s.reason as DomainError).code).toBe('address_taken');
    });

    it('lists messages after a seq, in either order, limited, and unread only', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const ins = [];
      for (let i = 1; i <= 5; i++) ins.push((await store.insertMessages([newMessage(mb.id, { content: content({ subject: `s${i}` }) })]))[0]!);
      expect((await store.listMessages(mb.id, { limit: 10 })).map((m) => m.seq)).toEqual([5, 4, 3, 2, 1]);
      expect((await store.listMessages(mb.id, { limit: 10, order: 'asc' })).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await store.listMessages(mb.id, { limit: 2, afterSeq: 2, order: 'asc' })).map((m) => m.seq)).toEqual([3, 4]);
      expect((await store.listMessages(mb.id, { limit: 10, afterSeq: 3 })).map((m) => m.seq)).toEqual([5, 4]);
      expect(await store.listMessages(mb.id, { limit: 10, afterSeq: 5 })).toEqual([]);

      await store.markRead(mb.id, ins[1]!.id);
      await store.markRead(mb.id, ins[3]!.id);
      expect((await store.listMessages(mb.id, { limit: 10, unread: true, order: 'asc' })).map((m) => m.seq)).toEqual([1, 3, 5]);

      const [summary] = await store.listMessages(mb.id, { limit: 1 });
      expect(summary).toMatchObject({ seq: 5, subject: 's5', address: mb.address, mailboxId: mb.id, isRead: false });
      for (const key of ['bodyText', 'bodyHtml', 'headers', 'links', 'envelopeFrom']) expect(summary).not.toHaveProperty(key);
    });

    it('reads a message back field for field, and marks it read', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const rich = content({
        from: { address: 'a@example.com', name: 'Ä Sender' },
        to: [
          { address: mb.address, name: 'Me' },
          { address: 'x@example.com', name: '' },
        ],
        cc: [{ address: 'cc@example.com', name: 'Cc' }],
        subject: 'Grüße 👋',
        bodyText: 'line one\nline two',
        bodyHtml: '<p>hi <a href="https://example.com/v?t=1">verify</a></p>',
        headers: [
          { name: 'Received', value: 'from a' },
          { name: 'Received', value: 'from b' },
        ],
        attachments: [{ index: 0, filename: 'a.pdf', contentType: 'application/pdf', size: 1234, contentId: null, inline: false }],
        links: [{ url: 'https://example.com/v?t=1', text: 'verify', source: 'html' }],
      });
      const [ins] = await store.insertMessages([
        newMessage(mb.id, { content: rich, tag: 'signup', source: 'ses', size: 4321, verdicts: { spam: 'PASS', virus: 'PASS' }, receivedAt: now + 3 }),
      ]);
      const msg = await store.getMessage(mb.id, ins!.id);
      expect(msg).toEqual({
        ...rich,
        id: ins!.id,
        mailboxId: mb.id,
        address: mb.address,
        seq: 1,
        receivedAt: now + 3,
        size: 4321,
        tag: 'signup',
        isRead: false,
        source: 'ses',
        envelopeFrom: 'bounce@example.com',
        verdicts: { spam: 'PASS', virus: 'PASS' },
      });
      const unparsed = content({ from: null, subject: null, messageIdHeader: null, date: null, bodyText: null, parseError: 'too many parts' });
      const [bad] = await store.insertMessages([newMessage(mb.id, { content: unparsed, envelopeFrom: null })]);
      expect(await store.getMessage(mb.id, bad!.id)).toMatchObject({ from: null, subject: null, parseError: 'too many parts', envelopeFrom: null, verdicts: null });

      await store.markRead(mb.id, ins!.id);
      expect((await store.getMessage(mb.id, ins!.id))?.isRead).toBe(true);
      // a message is only reachable through its own mailbox
      const other = await store.createMailbox(newMailbox(), rules());
      expect(await store.getMessage(other.id, ins!.id)).toBeNull();
      expect(await store.getRawSource(other.id, ins!.id)).toBeNull();
      expect(await store.getMessage(mb.id, `nope-${uniq()}`)).toBeNull();
    });

    it('keeps the raw source byte for byte, for every recipient', async () => {
      const a = await store.createMailbox(newMailbox(), rules());
      const b = await store.createMailbox(newMailbox(), rules());
      const raw = Buffer.concat([Buffer.from('Subject: bytes\nX-Bare-LF: yes\r\n\r\n'), Buffer.from([0, 1, 0xfe, 0xff, 0x0d, 0x0a, 0x2e, 0x0a]), randomBytes(64 * 1024)]);
      const out = await store.insertMessages([newMessage(a.id, { raw }), newMessage(b.id, { raw })]);
      const ra = await store.getRawSource(a.id, out[0]!.id);
      const rb = await store.getRawSource(b.id, out[1]!.id);
      expect(Buffer.isBuffer(ra)).toBe(true);
      expect(ra!.equals(raw)).toBe(true);
      expect(rb!.equals(raw)).toBe(true);
    });

    it('stores a message whose text carries U+0000 rather than refusing it', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const raw = Buffer.from('Subject: a\u0000b\r\n\r\nx\u0000y\r\n', 'latin1');
      const [ins] = await store.insertMessages([newMessage(mb.id, { raw, tag: 't\u0000', content: content({ subject: 'a\u0000b', bodyText: 'x\u0000y', bodyHtml: '<p>\u0000</p>' }) })]);
      const msg = await store.getMessage(mb.id, ins!.id);
      // PostgreSQL TEXT cannot hold NUL, so that store writes U+FFFD in the parsed columns
      expect(['a\u0000b', 'a\uFFFDb']).toContain(msg?.subject);
      expect(['x\u0000y', 'x\uFFFDy']).toContain(msg?.bodyText);
      expect((await store.getRawSource(mb.id, ins!.id))!.equals(raw)).toBe(true);
    });

    it('deletes a message once, keeps the seq counter, and drops its raw source', async () => {
      const mb = await store.createMailbox(newMailbox(), rules());
      const ins = await Promise.all([1, 2, 3].map(async () => (await store.insertMessages([newMessage(mb.id)]))[0]!));
      const target = ins.find((m) => m.seq === 3)!;
      const [first, second] = await Promise.all([store.deleteMessage(mb.id, target.id), store.deleteMessage(mb.id, target.id)]);
      const gone = first ?? second;
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect(gone).toMatchObject({ id: target.id, seq: 3, address: mb.address, subject: 'Your code', bodyText: 'code 123456' });
      expect(await store.getMessage(mb.id, target.id)).toBeNull();
      expect(await store.getRawSource(mb.id, target.id)).toBeNull();
      expect(await store.deleteMessage(mb.id, target.id)).toBeNull();
      expect(await store.getMailboxById(mb.id)).toMatchObject({ lastSeq: 3, messageCount: 2 });
      // a seq is never reused
      expect((await store.insertMessages([newMessage(mb.id)]))[0]?.seq).toBe(4);
    });

    // ── expiry and purge ───────────────────────────────────────────────────────────────────────

    it('expires exactly at expires_at, once, and respects the limit', async () => {
      const t = now + 400 * DAY;
      const due = await store.createMailbox(newMailbox({ expiresAt: t }), rules());
      const notYet = await store.createMailbox(newMailbox({ expiresAt: t + 1 }), rules());
      const first = await store.expireMailboxes(t, 10_000);
      const mine = first.filter((m) => m.id === due.id || m.id === notYet.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ id: due.id, address: due.address, active: false, expiresAt: t });
      expect(await store.getMailboxById(due.id)).toMatchObject({ active: false });
      expect((await store.expireMailboxes(t, 10_000)).map((m) => m.id)).not.toContain(due.id);
      expect(await store.getMailboxById(notYet.id)).toMatchObject({ active: true });

      const more = await Promise.all([1, 2, 3].map((i) => store.createMailbox(newMailbox({ expiresAt: t + 1 + i }), rules())));
      const limited = await store.expireMailboxes(t + 10, 2);
      expect(limited).toHaveLength(2);
      // oldest expiry first
      expect(limited.map((m) => m.expiresAt)).toEqual([...limited.map((m) => m.expiresAt)].sort((x, y) => x - y));
      const rest = await store.expireMailboxes(t + 10, 10_000);
      const ids = [...limited, ...rest].map((m) => m.id);
      for (const m of [notYet, ...more]) expect(ids.filter((id) => id === m.id)).toHaveLength(1);
    });

    it('expires each mailbox exactly once under concurrent sweepers', async () => {
      const t = now + 500 * DAY;
      const boxes = await Promise.all(Array.from({ length: 30 }, (_, i) => store.createMailbox(newMailbox({ expiresAt: t - i }), rules())));
      const sweep = async (): Promise<string[]> => {
        const seen: string[] = [];
        for (let round = 0; round < 100; round++) {
          const batch = await store.expireMailboxes(t, 4);
          if (batch.length === 0) break;
          seen.push(...batch.map((m) => m.id));
        }
        return seen;
      };
      const all = (await Promise.all(Array.from({ length: 5 }, sweep))).flat();
      expect(new Set(all).size).toBe(all.length);
      const mine = new Set(boxes.map((b) => b.id));
      expect(all.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
      for (const b of boxes) expect((await store.getMailboxById(b.id))?.active).toBe(false);
    });

    it('purges content after retention and the address after quarantine', async () => {
      const t = now + 600 * DAY;
      const mb = await store.createMailbox(newMailbox({ expiresAt: t + DAY }), rules());
      const [ins] = await store.insertMessages([newMessage(mb.id)]);
      await store.deleteMailbox(mb.id, t);
      const retention = 1000;
      const quarantine = 5000;

      expect((await store.purge(t + retention - 1, retention, quarantine)).messages >= 0).toBe(true);
      expect(await store.getMessage(mb.id, ins!.id)).not.toBeNull();

      const r1 = await store.purge(t + retention, retention, quarantine);
      expect(r1.messages).toBeGreaterThanOrEqual(1);
      expect(await store.getMessage(mb.id, ins!.id)).toBeNull();
      expect(await store.getRawSource(mb.id, ins!.id)).toBeNull();
      expect(await store.getMailboxById(mb.id)).toMatchObject({ messageCount: 0, lastSeq: 1, active: false });

      expect(await store.getMailboxById(mb.id)).not.toBeNull();
      const r2 = await store.purge(t + quarantine, retention, quarantine);
      expect(r2.mailboxes).toBeGreaterThanOrEqual(1);
      expect(await store.getMailboxById(mb.id)).toBeNull();
      // the address is free again, for anyone
      const fresh = await store.createMailbox(newMailbox({ address: mb.address }), rules({ now: t + quarantine }));
      expect(fresh.lastSeq).toBe(0);
    });

    // ── delivery timeline ──────────────────────────────────────────────────────────────────────

    it('records delivery attempts and lists an address\u2019s newest first', async () => {
      const a = `tl-${uniq()}@inboxd.test`;
      const b = `tl-${uniq()}@inboxd.test`;
      const attempt = (address: string, at: number, over: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
        id: `d-${uniq()}`,
        address,
        at,
        outcome: 'accepted',
        reason: null,
        errorCode: null,
        smtpCode: 250,
        enhancedCode: '2.0.0',
        response: '250 2.0.0 Ok',
        source: 'smtp',
        clientAddress: '192.0.2.1',
        envelopeFrom: 'x@example.com',
        size: 1234,
        durationMs: 12,
        messageId: `m-${uniq()}`,
        ...over,
      });
      const refused = attempt(a, now + 4, { outcome: 'refused', reason: 'quota_exceeded', errorCode: 'quota_exceeded', smtpCode: 452, enhancedCode: '4.2.2', response: '452 4.2.2 Mailbox full', size: null, durationMs: null, messageId: null, clientAddress: null });
      await store.recordDeliveries([attempt(a, now + 1), attempt(a, now + 2), attempt(a, now + 3), refused, attempt(a, now + 5, { source: 'ses', smtpCode: null, enhancedCode: null, response: 'accepted from SES' }), attempt(b, now + 3)]);
      await store.recordDeliveries([]);

      const listed = await store.listDeliveries(a, 3);
      expect(listed.map((d) => d.at)).toEqual([now + 5, now + 4, now + 3]);
      expect(listed[1]).toEqual(refused);
      expect(await store.listDeliveries(b, 10)).toHaveLength(1);
      expect(await store.listDeliveries(`nobody-${uniq()}@inboxd.test`, 10)).toEqual([]);

      // a large batch is written whole
      const c = `tl-${uniq()}@inboxd.test`;
      await store.recordDeliveries(Array.from({ length: 1200 }, (_, i) => attempt(c, now + i)));
      expect(await store.listDeliveries(c, 5000)).toHaveLength(1200);
    });

    it('prunes the timeline by age and keeps the newest N per address', async () => {
      const t = now + 700 * DAY;
      const a = `pr-${uniq()}@inboxd.test`;
      const b = `pr-${uniq()}@inboxd.test`;
      const mk = (address: string, at: number): DeliveryAttempt => ({
        id: `d-${uniq()}`, address, at, outcome: 'accepted', reason: null, errorCode: null, smtpCode: 250, enhancedCode: '2.0.0', response: '250 2.0.0 Ok', source: 'smtp',
        clientAddress: null, envelopeFrom: null, size: null, durationMs: null, messageId: null,
      });
      await store.recordDeliveries([1, 2, 3, 4, 5].map((i) => mk(a, t + i)).concat([mk(b, t + 9)]));
      // older than 8 ms at t+10 → t+1 goes; then at most 3 per address → t+2 goes
      const removed = await store.pruneDeliveries(t + 10, 8, 3);
      expect(removed).toBeGreaterThanOrEqual(2);
      expect((await store.listDeliveries(a, 10)).map((d) => d.at)).toEqual([t + 5, t + 4, t + 3]);
      expect((await store.listDeliveries(b, 10)).map((d) => d.at)).toEqual([t + 9]);
    });

    // ── fault scripts ─────────────────────────────────────────────────────────────────────────

    it('spends each fault rule exactly `times` uses under concurrent takers, in order, mailbox before group', async () => {
      const ownerId = `u-${uniq()}`;
      const group = `g-${uniq()}`;
      const mb = await store.createMailbox(newMailbox({ ownerId, ownerType: 'api', group }), rules());
      const own = { kind: 'mailbox' as const, mailboxId: mb.id };
      const grp = { kind: 'group' as const, ownerId, group };
      await store.setFaultRules(own, [
        { stage: 'rcpt', action: { kind: 'reply', reply: '451 4.3.0 first' }, times: 3 },
        { stage: 'data', action: { kind: 'disconnect' }, times: null },
        { stage: 'rcpt', action: { kind: 'delay', delayMs: 10 }, times: 2 },
      ], now);
      await store.setFaultRules(grp, [{ stage: 'rcpt', action: { kind: 'reply', reply: '550 5.1.1 group' }, times: 4 }], now);

      // SES skips delays: they are not spent
      const taken = await Promise.all(Array.from({ length: 14 }, () => store.takeFaultRule([own, grp], 'rcpt', false)));
      const kinds = taken.map((r) => (r ? `${r.scope.kind}:${r.action.kind}` : 'none'));
      expect(kinds.filter((k) => k === 'mailbox:reply')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'group:reply')).toHaveLength(4);
      expect(kinds.filter((k) => k === 'none')).toHaveLength(7);
      expect(kinds.filter((k) => k.endsWith('delay'))).toHaveLength(0);
      expect(taken.filter((r) => r?.scope.kind === 'mailbox').map((r) => r!.used).sort()).toEqual([1, 2, 3]);

      expect((await store.takeFaultRule([own, grp], 'rcpt', true))?.action).toEqual({ kind: 'delay', delayMs: 10 });
      const listed = await store.listFaultRules(own);
      expect(listed.map((r) => [r.position, r.stage, r.used, r.times])).toEqual([
        [0, 'rcpt', 3, 3],
        [1, 'data', 0, null],
        [2, 'rcpt', 1, 2],
      ]);
      expect(await store.takeFaultRule([own], 'data', true)).toMatchObject({ action: { kind: 'disconnect' }, times: null, used: 1 });
      expect((await store.listFaultRules(grp))[0]).toMatchObject({ used: 4, scope: grp });

      // replacing starts again; an empty list deletes
      expect(await store.setFaultRules(own, [], now)).toEqual([]);
      expect(await store.takeFaultRule([own], 'data', true)).toBeNull();
    });

    it('reads a recipient’s mailbox with its plan and whether a fault script (own or group, uses left) governs it', async () => {
      const ownerId = `u-${uniq()}`;
      const group = `g-${uniq()}`;
      const mb = await store.createMailbox(newMailbox({ ownerId, ownerType: 'api', group }), rules());
      const other = await store.createMailbox(newMailbox({ ownerId, ownerType: 'api', group: `g-${uniq()}` }), rules());
      const plan = await store.getPlan('free');
      expect(await store.getRecipientMailbox(mb.address)).toEqual({ mailbox: mb, plan, faults: false });
      expect(await store.getRecipientMailbox(`nope-${uniq()}@inboxd.test`)).toBeNull();
      // reads asked for at once (the scale store coalesces them) each get their own answer
      const many = await Promise.all([mb.address, `nope-${uniq()}@inboxd.test`, other.address, mb.address].map((a) => store.getRecipientMailbox(a)));
      expect(many.map((r) => r?.mailbox.id ?? null)).toEqual([mb.id, null, other.id, mb.id]);

      // a group's script governs every mailbox of that group, not the owner's others
      const grp = { kind: 'group' as const, ownerId, group };
      await store.setFaultRules(grp, [{ stage: 'data', action: { kind: 'reply', reply: '451 4.3.0 group' }, times: 1 }], now);
      expect((await store.getRecipientMailbox(mb.address))?.faults).toBe(true);
      expect((await store.getRecipientMailbox(other.address))?.faults).toBe(false);
      // a spent rule governs nothing
      expect(await store.takeFaultRule([grp], 'data', true)).not.toBeNull();
      expect((await store.getRecipientMailbox(mb.address))?.faults).toBe(false);

      // the mailbox's own script, at either stage, until deleted when `times` is left out
      const own = { kind: 'mailbox' as const, mailboxId: other.id };
      await store.setFaultRules(own, [{ stage: 'rcpt', action: { kind: 'delay', delayMs: 5 }, times: null }], now);
      expect((await store.getRecipientMailbox(other.address))?.faults).toBe(true);
      await store.setFaultRules(own, [], now);
      expect((await store.getRecipientMailbox(other.address))?.faults).toBe(false);

      // an anonymous mailbox is never governed by a group's script, even with the same owner and label
      const anon = await store.createMailbox(newMailbox({ ownerId, ownerType: 'anonymous', group }), rules());
      await store.setFaultRules(grp, [{ stage: 'rcpt', action: { kind: 'disconnect' }, times: 2 }], now);
      expect((await store.getRecipientMailbox(anon.address))?.faults).toBe(false);
      expect((await store.getRecipientMailbox(mb.address))?.faults).toBe(true);
    });

    // ── cluster lock (optional) ────────────────────────────────────────────────────────────────

    it('runExclusive, where offered, admits one holder at a time', async () => {
      if (!store.runExclusive) {
        // single-writer stores omit it; the sweeper then runs alone by construction
        expect(store.runExclusive).toBeUndefined();
        return;
      }
      const name = `lock-${uniq()}`;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const first = store.runExclusive(name, async () => {
        entered();
        await held;
        return 'first';
      });
      await inside;
      expect(await store.runExclusive(name, async () => 'second')).toBeNull();
      // a different name is a different lock
      expect(await store.runExclusive(`${name}-other`, async () => 'other')).toBe('other');
      release();
      expect(await first).toBe('first');
      expect(await store.runExclusive(name, async () => 'third')).toBe('third');
      // the lock is released when fn throws
      await expect(store.runExclusive(name, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await store.runExclusive(name, async () => 'after')).toBe('after');
    });

    // ── webhooks (#15) ─────────────────────────────────────────────────────────────────────────

    it('writes an outbox row per matching enabled endpoint with the message; claims lease rows to one caller; finishing moves them', async () => {
      const ownerId = `owner-${uniq()}`;
      const mb = await store.createMailbox(newMailbox({ ownerId, group: 'g1' }), rules());
      const other = await store.createMailbox(newMailbox({ ownerId }), rules());
      const hook = (id: string, over: Partial<Parameters<Store['createWebhook']>[0]> = {}) =>
        store.createWebhook({
          id: `wh_${id}_${uniq()}`, ownerId, url: 'http://127.0.0.1:9/x', secret: 'whsec_AAAA', events: ['new_message'], mailbox: null, group: null,
          includeMessage: false, enabled: true, disabledReason: null, createdAt: now, updatedAt: now, lastSuccessAt: null, ...over,
        });
      const all = await hook('all');
      const byMailbox = await hook('mb', { mailbox: mb.address });
      await hook('group', { group: 'other-group' });
      await hook('off', { enabled: false });
      await store.createWebhook({ ...all, id: `wh_stranger_${uniq()}`, ownerId: `owner-${uniq()}` });

      const [ins] = await store.insertMessages([newMessage(mb.id)]);
      expect(ins!.webhooks).toBe(2);
      const [ins2] = await store.insertMessages([newMessage(other.id)]);
      expect(ins2!.webhooks).toBe(1);

      const at = now + MINUTE;
      expect(await store.hasDueWebhookDeliveries(at)).toBe(true);
      const mine = [all.id, byMailbox.id];
      const skip = (await store.listWebhooks(ownerId)).map((w) => w.id).filter((id) => !mine.includes(id));
      const first = await store.claimWebhookDeliveries(at, 10, at + MINUTE, skip);
      const ours = first.filter((d) => mine.includes(d.webhookId));
      expect(ours).toHaveLength(3);
      const forMb = ours.filter((d) => d.messageId === ins!.id);
      expect(forMb).toHaveLength(2);
      expect(JSON.parse(forMb[0]!.eventJson)).toMatchObject({ event: 'new_message', message_id: ins!.id, seq: 1, address: mb.address, subject: 'Your code' });
      // leased: nobody else gets them until the lease ends, then anyone does
      expect((await store.claimWebhookDeliveries(at, 10, at + MINUTE, skip)).filter((d) => mine.includes(d.webhookId))).toEqual([]);
      const again = await store.claimWebhookDeliveries(at + 2 * MINUTE, 10, at + 3 * MINUTE, skip);
      expect(again.filter((d) => mine.includes(d.webhookId)).map((d) => d.id).sort()).toEqual(ours.map((d) => d.id).sort());

      const d = forMb[0]!;
      const t = at + 2 * MINUTE;
      await store.finishWebhookAttempt({
        attempt: { id: `att_${uniq()}`, webhookId: d.webhookId, eventId: d.id, attempt: 1, at: t, statusCode: 500, error: null, latencyMs: 12, nextRetryAt: t + 5_000 },
        state: 'pending',
        disable: null,
      });
      const [attempt] = await store.listWebhookAttempts(d.webhookId, 10, 0);
      expect(attempt).toMatchObject({ eventId: d.id, attempt: 1, statusCode: 500, nextRetryAt: t + 5_000 });
      // not due before its retry time; due (with one attempt made) after
      expect((await store.claimWebhookDeliveries(t + 1_000, 10, t + MINUTE, skip)).some((x) => x.id === d.id)).toBe(false);
      const retry = (await store.claimWebhookDeliveries(t + 6_000, 10, t + MINUTE, skip)).find((x) => x.id === d.id);
      expect(retry?.attempts).toBe(1);
      await store.finishWebhookAttempt({
        attempt: { id: `att_${uniq()}`, webhookId: d.webhookId, eventId: d.id, attempt: 2, at: t + 6_000, statusCode: 410, error: null, latencyMs: 3, nextRetryAt: null },
        state: 'failed',
        disable: 'the receiver answered 410 Gone',
      });
      expect(await store.getWebhook(d.webhookId)).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });

      // a replay of a message already queued keeps its id and makes it due again
      await store.enqueueWebhookEvents([{ ...{ id: `msg_new_${uniq()}`, webhookId: d.webhookId, eventType: 'new_message', mailboxId: mb.id, messageId: ins!.id, seq: 1, eventJson: d.eventJson, createdAt: t } }], t + 7_000);
      await store.updateWebhook(d.webhookId, { enabled: true, disabledReason: null }, t + 7_000);
      const replayed = (await store.claimWebhookDeliveries(t + 7_000, 10, t + MINUTE, skip)).find((x) => x.messageId === ins!.id && x.webhookId === d.webhookId);
      expect(replayed).toMatchObject({ id: d.id, attempts: 0 });

      expect(await store.pruneWebhookAttempts(t + 8 * DAY, 7 * DAY)).toBeGreaterThanOrEqual(2);
      expect(await store.listWebhookAttempts(d.webhookId, 10, 0)).toEqual([]);
      expect(await store.deleteWebhook(d.webhookId)).toBe(true);
      expect(await store.getWebhook(d.webhookId)).toBeNull();
    });
  });
}
