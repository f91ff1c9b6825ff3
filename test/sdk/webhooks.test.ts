// inboxd.webhooks (the SDK) and `inboxd webhooks …` (the CLI, a real child process) against a
// real server and a real receiver (#15 item 1): create (secret shown once), list, test, attempts,
// replay, disable/enable, delete.
import { Inboxd, isInboxdError } from '@inboxd/sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { runInboxd } from '../support/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let s: TestServer;
let rx: WebhookReceiver;
beforeAll(async () => {
  s = await startTestServer();
  rx = await startWebhookReceiver();
});
afterAll(async () => {
  await s?.close();
  await rx?.close();
});

describe('inboxd.webhooks', () => {
  it('creates, tests, reads attempts, replays, disables, enables and deletes', async () => {
    const { key } = await s.userWithKey('pro');
    const inboxd = new Inboxd({ baseUrl: s.url, apiKey: key });
    const box = await inboxd.createMailbox({ ttlMinutes: 30 });
    const hook = await inboxd.webhooks.create({ url: rx.url, mailbox: box.address, includeMessage: true });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await inboxd.webhooks.list()).map((w) => w.id)).toEqual([hook.id]);

    await s.send({ to: box.address, subject: 'via sdk', text: 'hello sdk' });
    const [delivered] = await rx.waitFor(1, (r) => r.json?.address === box.address);
    new Webhook(hook.secret).verify(delivered!.body, delivered!.headers as Record<string, string>);
    expect(delivered!.json.message.body_text).toContain('hello sdk');

    const { event_id } = await inboxd.webhooks.test(hook.id);
    await rx.waitFor(1, (r) => r.headers['webhook-id'] === event_id);
    const replay = await inboxd.webhooks.replay(hook.id, { mailbox: box.address, sinceSeq: 0 });
    expect(replay.queued).toBe(1);
    await rx.waitFor(2, (r) => r.json?.address === box.address);
    await s.inboxd.webhooks!.idle();
    const attempts = await inboxd.webhooks.attempts(hook.id);
    expect(attempts.map((a) => a.status_code)).toEqual([200, 200, 200]);

    expect((await inboxd.webhooks.update(hook.id, { enabled: false })).disabled_reason).toBe('disabled by its owner');
    expect((await inboxd.webhooks.update(hook.id, { enabled: true })).enabled).toBe(true);
    await inboxd.webhooks.delete(hook.id);
    const gone = await inboxd.webhooks.get(hook.id).catch((e: unknown) => e);
    expect(isInboxdError(gone) && gone.code).toBe('not_found');
  });
});

describe('inboxd webhooks', { timeout: 90_000 }, () => {
  it('creates (id and secret printed once), lists, tests, shows attempts and deletes', async () => {
    const { key } = await s.userWithKey('pro');
    const env = { INBOXD_URL: s.url, INBOXD_API_KEY: key };
    const made = await runInboxd(['webhooks', 'create', rx.url, '--json'], env);
    expect(made.code).toBe(0);
    const hook = JSON.parse(made.stdout);
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await runInboxd(['webhooks', 'ls'], env);
    expect(listed.stdout).toContain(hook.id);
    expect(listed.stdout).not.toContain(hook.secret);
    const tested = await runInboxd(['webhooks', 'test', hook.id, '--json'], env);
    const { event_id } = JSON.parse(tested.stdout);
    await rx.waitFor(1, (r) => r.headers['webhook-id'] === event_id);
    await s.inboxd.webhooks!.idle();
    const attempts = await runInboxd(['webhooks', 'attempts', hook.id], env);
    expect(attempts.stdout).toContain(`${event_id}  #1  200`);
    expect((await runInboxd(['webhooks', 'rm', hook.id], env)).stdout).toContain(`deleted ${hook.id}`);
    const usage = await runInboxd(['webhooks', 'frobnicate'], env);
    expect(usage.code).toBe(2);
    expect((await runInboxd(['webhooks', 'ls'], { INBOXD_URL: s.url, INBOXD_API_KEY: '' })).code).toBe(2);
  });
});
