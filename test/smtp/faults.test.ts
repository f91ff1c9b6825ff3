// SMTP fault scripts (#16 item 1) through real SMTP clients (nodemailer, and a raw socket where a
// library would hide what the server did): scoped to one mailbox or one run group, counted
// exactly, recorded in the timeline, and never felt by a mailbox next to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
const clock = new ManualClock();
beforeAll(async () => {
  s = await startTestServer({ smtp_fault_max_delay: 5_000 }, { clock });
});
afterAll(async () => {
  await s?.close();
});

const faults = (address: string, token: string, rules: unknown[]) => s.api('PUT', `/api/v1/mailboxes/${address}/faults`, { token, body: { rules } });

async function timeline(address: string, token: string): Promise<any[]> {
  await s.inboxd.timeline.flush();
  return (await s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token })).body;
}

/** sends one message; the SMTP error, or null when accepted. The clock moves 1 ms after, so the timeline's order is the sending order. */
async function sendError(to: string): Promise<any> {
  const out = await s.send({ to, subject: 'x', text: 'x' }).then(
    () => null,
    (err: unknown) => err,
  );
  clock.advance(1);
  return out;
}

describe('per-mailbox fault scripts', () => {
  it('answers 451 twice at RCPT, then accepts, while a parallel mailbox is untouched', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const put = await faults(a.address, a.token, [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 2 }]);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ address: a.address, rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 2, used: 0, scope: 'mailbox' }] });

    // both mailboxes are sent to at once, twice: only a's attempts are refused
    const [a1, b1] = await Promise.all([sendError(a.address), sendError(b.address)]);
    const [a2, b2] = await Promise.all([sendError(a.address), sendError(b.address)]);
    for (const err of [a1, a2]) {
      expect(err).toMatchObject({ responseCode: 451 });
      expect(String(err.response)).toBe('451 4.3.0 Try again later');
    }
    expect([b1, b2]).toEqual([null, null]);
    expect(await sendError(a.address)).toBeNull();

    const listA = (await s.api('GET', `/api/v1/mailboxes/${a.address}/messages`, { token: a.token })).body;
    const listB = (await s.api('GET', `/api/v1/mailboxes/${b.address}/messages`, { token: b.token })).body;
    expect(listA).toHaveLength(1);
    expect(listB).toHaveLength(2);

    const got = await s.api('GET', `/api/v1/mailboxes/${a.address}/faults`, { token: a.token });
    expect(got.body.rules[0]).toMatchObject({ times: 2, used: 2 });

    const ta = await timeline(a.address, a.token);
    expect(ta.map((t) => t.outcome)).toEqual(['accepted', 'fault', 'fault']);
    expect(ta[1]).toMatchObject({
      outcome: 'fault',
      reason: 'fault',
      response: '451 4.3.0 Try again later',
      smtp_code: 451,
      enhanced_code: '4.3.0',
      source: 'smtp',
      fault: { stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 2, used: 2, scope: 'mailbox' },
    });
    expect(ta[2].fault.used).toBe(1);
    expect((await timeline(b.address, b.token)).every((t) => t.outcome === 'accepted')).toBe(true);
  });

  it('falls through to the next rule, and answers at the end of DATA with nothing stored', async () => {
    const a = await s.anonymousMailbox();
    await faults(a.address, a.token, [
      { stage: 'data', reply: '552 5.3.4 Too big', times: 1 },
      { stage: 'data', reply: '554 5.7.1 Nope', times: 1 },
    ]);
    expect(await sendError(a.address)).toMatchObject({ responseCode: 552, response: '552 5.3.4 Too big' });
    expect(await sendError(a.address)).toMatchObject({ responseCode: 554, response: '554 5.7.1 Nope' });
    expect(await sendError(a.address)).toBeNull();
    expect((await s.api('GET', `/api/v1/mailboxes/${a.address}/messages`, { token: a.token })).body).toHaveLength(1);
    const t = await timeline(a.address, a.token);
    expect(t.map((x) => [x.outcome, x.fault?.stage ?? null])).toEqual([
      ['accepted', null],
      ['fault', 'data'],
      ['fault', 'data'],
    ]);
  });

  it('closes the connection at RCPT with no reply (disconnect), storing nothing; DELETE ends the script', async () => {
    const a = await s.anonymousMailbox();
    await faults(a.address, a.token, [{ stage: 'rcpt', disconnect: true }]);
    const c = await rawSmtp(s.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    await c.cmd('EHLO cut.example');
    expect(await c.cmd('MAIL FROM:<cut@example.com>')).toMatch(/^250 /);
    c.write(`RCPT TO:<${a.address}>\r\n`);
    await expect(c.reply()).rejects.toThrow(/closed/);
    await c.closed;
    const t = await timeline(a.address, a.token);
    expect(t[0]).toMatchObject({ outcome: 'fault', response: 'connection closed (fault script)', smtp_code: null, fault: { disconnect: true, times: null, used: 1 } });

    expect((await s.api('DELETE', `/api/v1/mailboxes/${a.address}/faults`, { token: a.token })).status).toBe(204);
    expect((await s.api('GET', `/api/v1/mailboxes/${a.address}/faults`, { token: a.token })).body).toEqual({ address: a.address, rules: [] });
    expect(await sendError(a.address)).toBeNull();
  });

  it('closes the connection after DATA with no reply (disconnect at data), storing nothing', async () => {
    const a = await s.anonymousMailbox();
    await faults(a.address, a.token, [{ stage: 'data', disconnect: true, times: 1 }]);
    const c = await rawSmtp(s.smtpPort);
    expect(await c.reply()).toMatch(/^220 /);
    await c.cmd('EHLO cut.example');
    await c.cmd('MAIL FROM:<cut@example.com>');
    expect(await c.cmd(`RCPT TO:<${a.address}>`)).toMatch(/^250 /);
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    c.write('Subject: cut\r\n\r\nbody\r\n.\r\n');
    await expect(c.reply()).rejects.toThrow(/closed/);
    await c.closed;
    expect((await s.api('GET', `/api/v1/mailboxes/${a.address}/messages`, { token: a.token })).body).toHaveLength(0);
    expect((await timeline(a.address, a.token))[0]).toMatchObject({ outcome: 'fault', fault: { stage: 'data', disconnect: true, used: 1 } });
    // spent: the sender's retry is stored
    expect(await sendError(a.address)).toBeNull();
  });

  it('holds the RCPT answer for delay_ms on the server clock, then gives the real one', async () => {
    const a = await s.anonymousMailbox();
    await faults(a.address, a.token, [{ stage: 'rcpt', delay_ms: 4_000, times: 1 }]);
    const c = await rawSmtp(s.smtpPort);
    try {
      expect(await c.reply()).toMatch(/^220 /);
      await c.cmd('EHLO slow.example');
      await c.cmd('MAIL FROM:<slow@example.com>');
      let answered = false;
      const rcpt = c.cmd(`RCPT TO:<${a.address}>`).then((r) => ((answered = true), r));
      // the rule is spent when the delay starts: wait for that, not for time
      for (let i = 0; i < 200; i++) {
        const got = await s.api('GET', `/api/v1/mailboxes/${a.address}/faults`, { token: a.token });
        if (got.body.rules[0].used === 1) break;
      }
      clock.advance(3_999);
      await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      clock.advance(1);
      expect(await rcpt).toMatch(/^250 /);
    } finally {
      c.close();
    }
    const [t] = await timeline(a.address, a.token);
    expect(t).toMatchObject({ outcome: 'fault', smtp_code: null, fault: { delay_ms: 4_000, used: 1 } });
  });

  it('refuses malformed scripts with invalid_input naming the field', async () => {
    const a = await s.anonymousMailbox();
    const cases: [unknown[], string][] = [
      [[{ stage: 'rcpt', reply: '250 2.0.0 Ok' }], 'rules[0].reply'],
      [[{ stage: 'rcpt', reply: '451 5.3.0 mixed classes' }], 'rules[0].reply'],
      [[{ stage: 'rcpt', reply: 'try later' }], 'rules[0].reply'],
      [[{ stage: 'helo', reply: '451 4.3.0 x' }], 'rules[0].stage'],
      [[{ stage: 'rcpt', reply: '451 4.3.0 x', disconnect: true }], 'rules[0]'],
      [[{ stage: 'rcpt' }], 'rules[0]'],
      [[{ stage: 'data', delay_ms: 5_001 }], 'rules[0].delay_ms'],
      [[{ stage: 'data', disconnect: false }], 'rules[0].disconnect'],
      [[{ stage: 'data', disconnect: true, times: 0 }], 'rules[0].times'],
      [[{ stage: 'data', disconnect: true, when: 'now' }], 'rules[0].when'],
    ];
    for (const [rules, field] of cases) {
      const res = await faults(a.address, a.token, rules);
      expect(res.status, JSON.stringify(rules)).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_input', field });
    }
    // someone else's mailbox: the same answers as any other route on it
    const other = await s.anonymousMailbox();
    expect((await faults(other.address, a.token, [])).status).toBe(403);
  });
});

describe('per-group fault scripts', () => {
  it('governs every mailbox of the group with one count, after each mailbox own script', async () => {
    const { key } = await s.userWithKey();
    const group = `run-${Date.now()}`;
    const create = async (g?: string) => (await s.api('POST', '/api/v1/mailboxes', { token: key, body: g ? { group: g } : {} })).body.address as string;
    const [a, b, outside] = [await create(group), await create(group), await create()];
    const put = await s.api('PUT', `/api/v1/groups/${group}/faults`, { token: key, body: { rules: [{ stage: 'rcpt', reply: '450 4.2.1 Busy', times: 2 }] } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ group, rules: [{ scope: 'group', used: 0 }] });
    // b's own rule comes first and leaves the group's count alone
    await s.api('PUT', `/api/v1/mailboxes/${b}/faults`, { token: key, body: { rules: [{ stage: 'rcpt', reply: '421 4.7.0 Own rule', times: 1 }] } });

    expect(await sendError(outside)).toBeNull();
    expect(await sendError(b)).toMatchObject({ responseCode: 421 });
    expect(await sendError(a)).toMatchObject({ responseCode: 450 });
    expect(await sendError(b)).toMatchObject({ responseCode: 450 });
    expect(await sendError(a)).toBeNull();
    expect(await sendError(b)).toBeNull();
    expect((await s.api('GET', `/api/v1/groups/${group}/faults`, { token: key })).body.rules[0]).toMatchObject({ used: 2, times: 2 });
    const [t] = await timeline(a, key);
    expect(t.outcome).toBe('accepted');
    expect((await timeline(a, key))[1]).toMatchObject({ outcome: 'fault', fault: { scope: 'group', reply: '450 4.2.1 Busy' } });

    expect((await s.api('DELETE', `/api/v1/groups/${group}/faults`, { token: key })).status).toBe(204);
    expect((await s.api('GET', `/api/v1/groups/${group}/faults`, { token: key })).body.rules).toEqual([]);
  });

  it('needs an API key', async () => {
    const a = await s.anonymousMailbox();
    expect((await s.api('PUT', '/api/v1/groups/g/faults', { token: a.token, body: { rules: [] } })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/groups/g/faults')).status).toBe(401);
  });
});
