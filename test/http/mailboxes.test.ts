// The mailbox endpoints: create (anonymous and with a key), TTL clamp, caps, chosen addresses,
// extend, list, delete — over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ domains: 'inboxd.test,alt.test' }, { seededPlans: true });
});
afterAll(async () => {
  await s.close();
});

const minutesUntil = (iso: string) => Math.round((Date.parse(iso) - Date.now()) / 60_000);

describe('creating mailboxes', () => {
  it('gives an anonymous caller a generated address, a session token and the plan default TTL', async () => {
    const res = await s.api('POST', '/api/v1/mailboxes');
    expect(res.status).toBe(201);
    expect(res.body.address).toMatch(/^[a-z]+-[a-z]+-\d{1,6}@inboxd\.test$/);
    expect(res.body.session_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.owner_type).toBe('anonymous');
    expect(minutesUntil(res.body.expires_at)).toBe(60);
  });

  it('clamps the TTL to the plan maximum and takes ttl_minutes from the query or the body', async () => {
    const q = await s.api('POST', '/api/v1/mailboxes?ttl_minutes=100000');
    expect(minutesUntil(q.body.expires_at)).toBe(1440);
    const b = await s.api('POST', '/api/v1/mailboxes', { body: { ttl_minutes: 5 } });
    expect(minutesUntil(b.body.expires_at)).toBe(5);
  });

  it('answers 400 to a bad TTL or an unknown domain, with the JSON error shape', async () => {
    for (const path of ['/api/v1/mailboxes?ttl_minutes=0', '/api/v1/mailboxes?ttl_minutes=abc', '/api/v1/mailboxes?domain=evil.example']) {
      const res = await s.api('POST', path);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_input');
      expect(typeof res.body.message).toBe('string');
    }
  });

  it('caps anonymous creation per client address by the anonymous plan, with 429 and Retry-After', async () => {
    await s.inboxd.core.store.updatePlan('free', { maxMailboxes: 3 });
    try {
      const { key } = await s.userWithKey('pro');
      // this test file already made 4 anonymous mailboxes from 127.0.0.1: the cap of 3 is reached
      const res = await s.api('POST', '/api/v1/mailboxes');
      expect(res.status).toBe(429);
      expect(res.body.error).toBe('quota_exceeded');
      expect(res.headers.get('retry-after')).toBeTruthy();
      // a key's mailboxes count against its own plan, not the anonymous one
      expect((await s.api('POST', '/api/v1/mailboxes', { token: key })).status).toBe(201);
    } finally {
      await s.inboxd.core.store.updatePlan('free', { maxMailboxes: -1 });
    }
  });

  it('lets an API key choose the address, answers 409 when it is taken, and 403 to an anonymous caller', async () => {
    const { key } = await s.userWithKey('pro');
    const a = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'Signup-Test', domain: 'alt.test', group: 'run-1' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ address: 'signup-test@alt.test', owner_type: 'api', group: 'run-1' });
    expect(a.body.session_token).toBeNull(); // created with a key: the seed clients read null
    const again = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { address: 'signup-test@alt.test' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('address_taken');
    const anon = await s.api('POST', '/api/v1/mailboxes', { body: { local_part: 'mine' } });
    expect(anon.status).toBe(403);
    const plus = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'a+b' } });
    expect(plus.status).toBe(400);
  });

  it('keeps an ended address from another owner, but gives it back to its owner', async () => {
    const one = await s.userWithKey('pro');
    const two = await s.userWithKey('pro');
    await s.api('POST', '/api/v1/mailboxes', { token: one.key, body: { local_part: 'reused' } });
    expect((await s.api('DELETE', '/api/v1/mailboxes/reused@inboxd.test', { token: one.key })).status).toBe(204);
    const other = await s.api('POST', '/api/v1/mailboxes', { token: two.key, body: { local_part: 'reused' } });
    expect(other.status).toBe(409);
    const owner = await s.api('POST', '/api/v1/mailboxes', { token: one.key, body: { local_part: 'reused' } });
    expect(owner.status).toBe(201);
  });
});

describe('reading, extending and deleting mailboxes', () => {
  it('lists a key owner\'s live mailboxes, filtered by group', async () => {
    const { key } = await s.userWithKey('pro');
    await s.api('POST', '/api/v1/mailboxes', { token: key, body: { group: 'g1' } });
    await s.api('POST', '/api/v1/mailboxes', { token: key, body: { group: 'g1' } });
    await s.api('POST', '/api/v1/mailboxes', { token: key, body: { group: 'g2' } });
    const all = await s.api('GET', '/api/v1/mailboxes', { token: key });
    expect(all.body).toHaveLength(3);
    const g1 = await s.api('GET', '/api/v1/mailboxes?group=g1', { token: key });
    expect(g1.body).toHaveLength(2);
    expect(g1.body[0]).toHaveProperty('last_seq', 0);
  });

  it('extends the TTL within the plan and reports last_seq', async () => {
    const { key } = await s.userWithKey('pro');
    const box = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { ttl_minutes: 5 } });
    await s.send({ to: box.body.address, text: 'x' });
    const ext = await s.api('PATCH', `/api/v1/mailboxes/${box.body.address}`, { token: key, body: { ttl_minutes: 120 } });
    expect(ext.status).toBe(200);
    expect(minutesUntil(ext.body.expires_at)).toBe(120);
    expect(ext.body.last_seq).toBe(1);
    const over = await s.api('PATCH', `/api/v1/mailboxes/${box.body.address}?ttl_minutes=99999999`, { token: key });
    expect(minutesUntil(over.body.expires_at)).toBe(43200);
  });

  it('answers 404 for an unknown mailbox and 401 without credentials', async () => {
    const { key } = await s.userWithKey('pro');
    const res = await s.api('GET', '/api/v1/mailboxes/nope@inboxd.test', { token: key });
    expect(res).toMatchObject({ status: 404, body: { error: 'mailbox_not_found' } });
    const anon = await s.api('GET', '/api/v1/mailboxes/nope@inboxd.test');
    expect(anon).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    const route = await s.api('GET', '/api/v1/nothing-here');
    expect(route).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('browser and rate limits', () => {
  it('answers CORS only for listed origins, and rate-limits anonymous creation per client', async () => {
    const t = await startTestServer({ allowed_origins: 'https://app.example', anonymous_rate: 2 });
    try {
      const ok = await fetch(`${t.url}/api/v1/domains`, { headers: { origin: 'https://app.example' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const other = await fetch(`${t.url}/api/v1/domains`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();

      expect((await t.api('POST', '/api/v1/mailboxes')).status).toBe(201);
      expect((await t.api('POST', '/api/v1/mailboxes')).status).toBe(201);
      const third = await t.api('POST', '/api/v1/mailboxes');
      expect(third.status).toBe(429);
      expect(third.body.error).toBe('rate_limited');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // an API key is not held to the anonymous rate
      const { key } = await t.userWithKey('pro');
      expect((await t.api('POST', '/api/v1/mailboxes', { token: key })).status).toBe(201);
    } finally {
      await t.close();
    }
  });
});
