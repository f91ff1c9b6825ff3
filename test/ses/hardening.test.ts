// The SES webhook against hostile or faulty peers (#14 item 3, item 9): hosts that trickle an
// answer forever, replayed subscription confirmations, notifications naming a bucket or key
// outside the allow-list, oversized bodies and wrong methods; and every refusal on this path in
// the recipient's delivery timeline. Real sockets throughout.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMail, sesNotification, TRICKLE_CERT_PATH } from './fake-aws.js';
import { BUCKET, KEY_PREFIX, type SesFixture, startSesFixture } from './fixture.js';

let f: SesFixture;

beforeAll(async () => {
  // a short total deadline: the trickling hosts below would otherwise hold a request for ever
  f = await startSesFixture({ ses_fetch_timeout: 2000, ses_refuse_spam: true });
});

async function timeline(box: { address: string; token: string }): Promise<any[]> {
  await f.s.inboxd.timeline.flush();
  const res = await f.s.api('GET', `/api/v1/mailboxes/${box.address}/deliveries`, { headers: { 'x-session-token': box.token } });
  expect(res.status).toBe(200);
  return res.body;
}

afterAll(async () => {
  await f?.close();
});

describe('SES webhook: every outbound fetch has a total deadline', () => {
  it('answers 503 (retry) when the certificate host trickles its answer and never finishes', async () => {
    const box = await f.s.anonymousMailbox();
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'slow cert') }), { SigningCertURL: `${f.sns.url}${TRICKLE_CERT_PATH}` }));
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('storage_unavailable');
    expect(f.sns.requests.filter((r) => r === `GET ${TRICKLE_CERT_PATH}`)).toHaveLength(1);
    expect(await f.messages(box)).toHaveLength(0);
  });

  it('answers 503 (so SNS retries) when the SubscribeURL trickles', async () => {
    const res = await f.post(f.confirmation(`${f.sns.url}/trickle?Token=${randomUUID()}`));
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('storage_unavailable');
  });

  it('answers 503 when S3 trickles the object, and stores nothing', async () => {
    const box = await f.s.anonymousMailbox();
    const key = `${KEY_PREFIX}${randomUUID()}`;
    f.s3.trickling.add(`${BUCKET}/${key}`);
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address], s3: { bucket: BUCKET, key } })));
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('storage_unavailable');
    expect(f.s3.requests.filter((r) => r.includes(key)).length).toBeGreaterThanOrEqual(1);
    expect(await f.messages(box)).toHaveLength(0);
  });
});

describe('SES webhook: replays', () => {
  it('requests the SubscribeURL of a replayed SubscriptionConfirmation once', async () => {
    const token = randomUUID();
    const url = `${f.sns.url}/confirm?Action=ConfirmSubscription&Token=${token}`;
    const signed = f.confirmation(url, { Token: token });
    const first = await f.post(signed);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('confirmed');
    const again = await f.post(signed);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    // the same Token or URL in a fresh SNS message (a new MessageId) is the same confirmation
    expect((await f.post(f.confirmation(url, { Token: token }))).body.status).toBe('duplicate');
    expect((await f.post(f.confirmation(url))).body.status).toBe('duplicate');
    expect((await f.post(f.confirmation(`${url}&again=1`, { Token: token }))).body.status).toBe('duplicate');
    const path = url.slice(f.sns.url.length);
    expect(f.sns.requests.filter((r) => r === `GET ${path}`)).toHaveLength(1);
  });
});

describe('SES webhook: S3 reads only from the allowed bucket and key prefix', () => {
  it('refuses with 403, reading nothing, a notification naming another bucket or a key outside the prefix', async () => {
    const box = await f.s.anonymousMailbox();
    const id = randomUUID();
    const elsewhere = [
      { bucket: 'someone-elses-bucket', key: `${KEY_PREFIX}${id}` },
      { bucket: BUCKET, key: `secrets/${id}` },
      { bucket: BUCKET, key: `${KEY_PREFIX}../secrets/${id}` },
    ];
    for (const o of elsewhere) f.s3.objects.set(`${o.bucket}/${o.key}`, rawMail(box.address, 'not yours'));
    for (const o of elsewhere) {
      const res = await f.post(f.notification(sesNotification({ recipients: [box.address], s3: o })));
      expect(res.status, `${o.bucket}/${o.key}`).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
    expect(f.s3.requests.filter((r) => r.includes(id))).toEqual([]);
    expect(await f.messages(box)).toHaveLength(0);
    // the owner can see why: an operator who forgot INBOXD_SES_S3_BUCKET finds out from here
    const attempts = await timeline(box);
    expect(attempts).toHaveLength(elsewhere.length);
    expect(attempts[0]).toMatchObject({ outcome: 'refused', reason: 'forbidden', source: 'ses', smtp_code: null });
  });
});

describe('SES webhook: every refusal is in the recipient\'s delivery timeline', () => {
  it('refuses a message SES found a virus in, with reason virus', async () => {
    const box = await f.s.anonymousMailbox();
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'infected'), virus: 'FAIL' })));
    expect(res.body).toMatchObject({ status: 'refused', refused: [{ address: box.address, reason: 'virus' }] });
    expect(await f.messages(box)).toHaveLength(0);
    const [attempt] = await timeline(box);
    expect(attempt).toMatchObject({ outcome: 'refused', reason: 'virus', source: 'ses', envelope_from: 'sender@example.com', smtp_code: null, response: 'refused: message_rejected' });
  });

  it('refuses spam when ses_refuse_spam is on, with reason spam', async () => {
    const box = await f.s.anonymousMailbox();
    const res = await f.post(f.notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'buy now'), spam: 'FAIL' })));
    expect(res.body).toMatchObject({ status: 'refused', refused: [{ address: box.address, reason: 'spam' }] });
    expect(await f.messages(box)).toHaveLength(0);
    expect((await timeline(box))[0]).toMatchObject({ outcome: 'refused', reason: 'spam', source: 'ses' });
  });

  it('records an S3 object over the size limit as message_too_large', async () => {
    const plan = await f.s.inboxd.core.store.createPlan({ name: `tiny-${randomUUID().slice(0, 8)}`, maxMailboxes: -1, maxMessagesPerMailbox: -1, defaultTtlMinutes: 60, maxTtlMinutes: 600, maxMessageBytes: 1000 });
    const user = await f.s.userWithKey(plan.name);
    const created = await f.s.api('POST', '/api/v1/mailboxes', { token: user.key, body: { ttl_minutes: 30 } });
    const address = created.body.address as string;
    const key = `${KEY_PREFIX}${randomUUID()}`;
    f.s3.objects.set(`${BUCKET}/${key}`, rawMail(address, 'too big', 'x'.repeat(5000)));
    const res = await f.post(f.notification(sesNotification({ recipients: [address], s3: { bucket: BUCKET, key } })));
    expect(res.body).toMatchObject({ status: 'refused', refused: [{ address, reason: 'message_too_large' }] });
    await f.s.inboxd.timeline.flush();
    const attempts = (await f.s.api('GET', `/api/v1/mailboxes/${address}/deliveries`, { token: user.key })).body;
    expect(attempts[0]).toMatchObject({ outcome: 'refused', reason: 'message_too_large', source: 'ses' });
  });
});

describe('SES webhook: HTTP edges', () => {
  it('answers 413 to a body over the limit', async () => {
    const res = await f.post('x'.repeat(1_100_000));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('message_too_large');
  });

  it('answers 405 with Allow: POST to any other method', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await f.post('{}', {}, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.body.error).toBe('method_not_allowed');
    }
  });
});
