// POST /api/v1/ses/inbound through real sockets: a real Inboxd, a local HTTPS "SNS" host with a
// self-signed certificate (trusted through the test-only ses_cert_ca_file), a local S3 GetObject
// server and a counting server that SSRF attempts must never reach.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/harness.js';
import { CERT_PATH, type Counting, REDIRECT_CERT_PATH, rawMail, sesNotification, signedSnsMessage } from './fake-aws.js';
import { BUCKET, type SesFixture, startSesFixture } from './fixture.js';

let f: SesFixture;
let s: TestServer;
let sns: Counting;
let ssrf: Counting;
let s3: SesFixture['s3'];
let certUrl: string;

beforeAll(async () => {
  f = await startSesFixture();
  ({ s, sns, ssrf, s3, certUrl } = f);
});

afterAll(async () => {
  await f?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) => f.post(body, headers);
const notification = (...args: Parameters<SesFixture['notification']>) => f.notification(...args);
const messages = (box: { address: string; token: string }) => f.messages(box);

describe('SES webhook: signed notifications', () => {
  it('stores a v1 (SHA1withRSA) notification once, readable with source ses and the verdicts', async () => {
    const box = await s.anonymousMailbox();
    const raw = rawMail(box.address, 'v1 hello');
    const res = await post(notification(sesNotification({ recipients: [box.address], raw })));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stored');
    expect(res.body.stored).toHaveLength(1);

    const list = await messages(box);
    expect(list).toHaveLength(1);
    expect(list[0].source).toBe('ses');
    const full = await s.api('GET', `/api/v1/mailboxes/${box.address}/messages/${list[0].id}`, { headers: { 'x-session-token': box.token } });
    expect(full.body.subject).toBe('v1 hello');
    expect(full.body.source).toBe('ses');
    expect(full.body.envelope_from).toBe('sender@example.com');
    expect(full.body.verdicts).toEqual({ spam: 'pass', virus: 'pass', spf: 'pass', dkim: 'gray', dmarc: 'pass' });
    expect(full.body.codes.map((c: any) => c.value)).toContain('482913');
    const rawRes = await fetch(`${s.url}/api/v1/mailboxes/${box.address}/messages/${list[0].id}/raw`, { headers: { 'x-session-token': box.token } });
    expect(Buffer.from(await rawRes.arrayBuffer()).equals(raw)).toBe(true);
    // the certificate was fetched from the allowed host, once, and is cached from here on
    expect(sns.requests.filter((r) => r.startsWith(`GET ${CERT_PATH}`))).toHaveLength(1);
  });

  it('stores a v2 (SHA256withRSA) notification, UTF-8 encoded content included', async () => {
    const box = await s.anonymousMailbox();
    const res = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'v2 hello'), encoding: 'UTF8' }), { SignatureVersion: '2' }));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stored');
    const list = await messages(box);
    expect(list.map((m) => m.subject)).toEqual(['v2 hello']);
    expect(sns.requests.filter((r) => r.startsWith(`GET ${CERT_PATH}`))).toHaveLength(1);
  });

  it('refuses a tampered body with 403 and stores nothing', async () => {
    const box = await s.anonymousMailbox();
    const signed = notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'original') }));
    const forged = { ...signed, Message: sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'forged') }) };
    const res = await post(forged);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('invalid_signature');
    expect(await messages(box)).toHaveLength(0);
  });

  it('refuses an unknown SignatureVersion, and a signature made with another algorithm than the version names', async () => {
    const box = await s.anonymousMailbox();
    const message = sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'versions') });
    const v3 = await post(notification(message, { SignatureVersion: '3' }, 'sha256'));
    expect(v3.status).toBe(403);
    expect(v3.body.error).toBe('invalid_signature');
    const mismatch = await post(notification(message, { SignatureVersion: '1' }, 'sha256'));
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error).toBe('invalid_signature');
    expect(await messages(box)).toHaveLength(0);
  });

  it('never fetches a certificate from a host off the allow-list', async () => {
    const box = await s.anonymousMailbox();
    const message = sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'foreign cert') });
    const snsBefore = sns.requests.length;
    const port = new URL(sns.url).port;
    for (const url of [
      `${ssrf.url}${CERT_PATH}`, // http, not https
      `https://localhost:${port}${CERT_PATH}`, // a host the pattern does not name
      `https://127.0.0.1:${port}@localhost:${port}${CERT_PATH}`, // credentials in the URL
      `${sns.url}/cert.pem`, // not SimpleNotificationService-<hex>.pem
      `${sns.url}${CERT_PATH.replace('.pem', '.txt')}`,
      `${sns.url}${CERT_PATH}?Action=anything`, // a query string
      `${sns.url}${CERT_PATH}#fragment`,
      `${sns.url}/x/..${CERT_PATH}`, // not the path as written
      `${sns.url}/%53impleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`,
    ]) {
      const res = await post(notification(message, { SigningCertURL: url }));
      expect(res.status, url).toBe(403);
      expect(res.body.error).toBe('invalid_signature');
    }
    expect(ssrf.requests).toEqual([]);
    expect(sns.requests.length).toBe(snsBefore);
    expect(await messages(box)).toHaveLength(0);
  });

  it('does not follow a redirect from the certificate host', async () => {
    const res = await post(notification(sesNotification({ recipients: ['nobody@inboxd.test'], raw: rawMail('nobody@inboxd.test', 'x') }), { SigningCertURL: `${sns.url}${REDIRECT_CERT_PATH}` }));
    expect(res.status).toBe(403);
    expect(sns.requests.filter((r) => r.startsWith(`GET ${REDIRECT_CERT_PATH}`))).toHaveLength(1);
    expect(sns.requests.filter((r) => r.startsWith(`GET ${CERT_PATH}`))).toHaveLength(1);
  });

  it('refuses a topic that is not configured, before fetching anything', async () => {
    const box = await s.anonymousMailbox();
    const before = sns.requests.length;
    const res = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'other topic') }), { TopicArn: 'arn:aws:sns:us-east-1:999999999999:someone-else' }));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    expect(sns.requests.length).toBe(before);
    expect(await messages(box)).toHaveLength(0);
  });

  it('answers 400 to a malformed body, and to a Type that contradicts its header', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ Type: 'Notification' })).status).toBe(400);
    const box = await s.anonymousMailbox();
    const signed = notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'header') }));
    const res = await post(signed, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
    expect(await messages(box)).toHaveLength(0);
  });

  it('refuses with 403 a validly signed message older than ses_max_age (an hour by default: a replay), and takes one a little younger', async () => {
    const box = await s.anonymousMailbox();
    const old = new Date(Date.now() - 61 * 60_000).toISOString();
    const res = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'old') }), { Timestamp: old }));
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
    expect(res.body.message).toMatch(/too old/);
    expect(await messages(box)).toHaveLength(0);

    const recent = new Date(Date.now() - 50 * 60_000).toISOString();
    const ok = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'recent') }), { Timestamp: recent }));
    expect(ok.status).toBe(200);
    expect((await messages(box)).map((m) => m.subject)).toEqual(['recent']);
  });
});

describe('SES webhook: delivery rules', () => {
  it('delivers a replayed MessageId once', async () => {
    const box = await s.anonymousMailbox();
    const signed = notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'twice') }));
    const [a, b] = await Promise.all([post(signed), post(signed)]);
    const third = await post(signed);
    expect([a.body.status, b.body.status].sort()).toEqual(['duplicate', 'stored']);
    expect(third.status).toBe(200);
    expect(third.body.status).toBe('duplicate');
    expect(await messages(box)).toHaveLength(1);
  });

  it('refuses a message SES flags as a virus, with 200 so SNS does not retry', async () => {
    const box = await s.anonymousMailbox();
    const res = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'infected'), virus: 'FAIL' })));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('refused');
    expect(res.body.refused).toEqual([{ address: box.address, reason: 'virus' }]);
    expect(await messages(box)).toHaveLength(0);
  });

  it('stores a message SES marks as spam: ses_refuse_spam is off by default', async () => {
    const box = await s.anonymousMailbox();
    const res = await post(notification(sesNotification({ recipients: [box.address], raw: rawMail(box.address, 'spammy'), spam: 'FAIL' })));
    expect(res.body.status).toBe('stored');
    expect((await messages(box)).map((m) => m.subject)).toEqual(['spammy']);
  });

  it('answers 200 with nothing stored for unknown and full mailboxes, and writes the timeline', async () => {
    const plan = await s.inboxd.core.store.createPlan({ name: `full-${randomUUID().slice(0, 8)}`, maxMailboxes: -1, maxMessagesPerMailbox: 0, defaultTtlMinutes: 60, maxTtlMinutes: 600, maxMessageBytes: -1 });
    const user = await s.userWithKey(plan.name);
    const created = await s.api('POST', '/api/v1/mailboxes', { token: user.key, body: { ttl_minutes: 30 } });
    expect(created.status).toBe(201);
    const full = created.body.address as string;
    const unknown = `nobody-${randomUUID().slice(0, 8)}@inboxd.test`;
    const res = await post(notification(sesNotification({ recipients: [unknown, full], raw: rawMail(full, 'no room') })));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('refused');
    expect(res.body.refused).toEqual([
      { address: unknown, reason: 'mailbox_not_found' },
      { address: full, reason: 'quota_exceeded' },
    ]);
    // the timeline is written in batches, off the answer's path: poll (bounded) until it is there
    let attempts: any[] = [];
    for (let i = 0; i < 100 && attempts.length === 0; i++) {
      attempts = (await s.api('GET', `/api/v1/mailboxes/${full}/deliveries`, { token: user.key })).body;
      if (attempts.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(attempts[0]).toMatchObject({ outcome: 'refused', reason: 'quota_exceeded', source: 'ses', envelope_from: 'sender@example.com', smtp_code: null });
    expect((await s.api('GET', `/api/v1/mailboxes/${full}/messages`, { token: user.key })).body).toHaveLength(0);
  });

  it('stores a copy per accepted recipient and reports the refused ones', async () => {
    const a = await s.anonymousMailbox();
    const b = await s.anonymousMailbox();
    const res = await post(notification(sesNotification({ recipients: [a.address, 'ghost@inboxd.test', b.address], raw: rawMail(a.address, 'two of three') })));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stored');
    expect(res.body.stored.map((x: any) => x.address)).toEqual([a.address, b.address]);
    expect(res.body.refused).toEqual([{ address: 'ghost@inboxd.test', reason: 'mailbox_not_found' }]);
    expect(await messages(a)).toHaveLength(1);
    expect(await messages(b)).toHaveLength(1);
  });
});

describe('SES webhook: large messages through S3', () => {
  it('reads a message over 150 KB from S3 and stores it byte for byte', async () => {
    const box = await s.anonymousMailbox();
    const raw = rawMail(box.address, 'big one', 'Your code is 482913.\r\n' + 'x'.repeat(76).concat('\r\n').repeat(2600));
    expect(raw.length).toBeGreaterThan(150 * 1024);
    const key = `inbound/${randomUUID()}`;
    s3.objects.set(`${BUCKET}/${key}`, raw);
    const res = await post(notification(sesNotification({ recipients: [box.address], s3: { bucket: BUCKET, key } })));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stored');
    expect(s3.requests.filter((r) => r.includes(key))).toHaveLength(1);
    const list = await messages(box);
    expect(list).toHaveLength(1);
    expect(list[0].size).toBe(raw.length);
    const rawRes = await fetch(`${s.url}/api/v1/mailboxes/${box.address}/messages/${list[0].id}/raw`, { headers: { 'x-session-token': box.token } });
    expect(Buffer.from(await rawRes.arrayBuffer()).equals(raw)).toBe(true);
  });

  it('answers 503 while S3 fails, so SNS retries, and delivers the retry', async () => {
    const box = await s.anonymousMailbox();
    const key = `inbound/${randomUUID()}`;
    s3.objects.set(`${BUCKET}/${key}`, rawMail(box.address, 'after a retry'));
    s3.failing.add(`${BUCKET}/${key}`);
    const signed = notification(sesNotification({ recipients: [box.address], s3: { bucket: BUCKET, key } }));
    const first = await post(signed);
    expect(first.status).toBe(503);
    expect(first.body.error).toBe('storage_unavailable');
    expect(await messages(box)).toHaveLength(0);

    s3.failing.delete(`${BUCKET}/${key}`);
    const retry = await post(signed);
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('stored');
    expect((await messages(box)).map((m) => m.subject)).toEqual(['after a retry']);
  });
});

describe('SES webhook: subscriptions', () => {
  const confirmation = (url: string) => f.confirmation(url);

  it('confirms a subscription by requesting the allowed SubscribeURL once', async () => {
    const url = `${sns.url}/confirm?Action=ConfirmSubscription&Token=${randomUUID()}`;
    const res = await post(confirmation(url), { 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    const path = url.slice(sns.url.length);
    expect(sns.requests.filter((r) => r === `GET ${path}`)).toHaveLength(1);
  });

  it('never requests a SubscribeURL off the allow-list (SSRF)', async () => {
    const port = new URL(sns.url).port;
    const before = sns.requests.length;
    for (const url of [`${ssrf.url}/internal?x=1`, `https://localhost:${port}/confirm?Token=1`, `file:///etc/passwd`]) {
      const res = await post(confirmation(url));
      expect(res.status, url).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
    expect(ssrf.requests).toEqual([]);
    expect(sns.requests.length).toBe(before);
  });

  it('acknowledges an UnsubscribeConfirmation without re-subscribing', async () => {
    const before = sns.requests.filter((r) => r.startsWith('GET /confirm')).length;
    const msg = signedSnsMessage(f.signing.key, { Type: 'UnsubscribeConfirmation', Message: 'unsubscribed', SubscribeURL: `${sns.url}/confirm?Token=again`, SigningCertURL: certUrl });
    const res = await post(msg);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('unsubscribed');
    expect(sns.requests.filter((r) => r.startsWith('GET /confirm')).length).toBe(before);
  });
});
