/**
 * Webhooks survive a crash (#15 item 3): the outbox row is committed with the message, so every
 * message that got its 250 has its webhook sent after a SIGKILL and a restart, on SQLite and on
 * PostgreSQL. Two cuts: between commit and send (the first process runs without the webhooks role:
 * it queues, never sends; the restarted one sends every event, first attempts in seq order), and
 * mid-send (the receiver hangs; the restarted process sends what the dead one held once its
 * leases ran out, under the same webhook-id). The secret never shows in the log. Signatures are checked with the `standardwebhooks` package. Only processes started here are
 * ended, by their pid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { hashSecret, newApiKey } from '../../src/core/tokens.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { describeScale, dropSchema, uniqueName } from '../support/scale-env.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import nodemailer from 'nodemailer';

const MESSAGES = 12;

/** a user and an API key, written before any server runs. */
async function seedKey(store: Store): Promise<string> {
  await store.migrate();
  const user = await store.createUser({ email: `wh-${Date.now()}@example.com`, plan: 'pro' });
  const { key, prefix } = newApiKey();
  await store.createApiKey({ userId: user.id, name: 'test', keyHash: hashSecret(key), prefix });
  await store.close();
  return key;
}

async function api(proc: ServeProcess, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(proc.http + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function sendAll(proc: ServeProcess, address: string, n: number, from = 1): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proc.smtpPort, secure: false, ignoreTLS: true, pool: false });
  try {
    for (let i = from; i < from + n; i++) {
      const info = await transport.sendMail({ from: 'a@example.com', to: address, subject: `m${i}`, text: 'x' });
      expect(info.response).toMatch(/^250 /);
    }
  } finally {
    transport.close();
  }
}

const procs: ServeProcess[] = [];
const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill();
  for (const r of receivers.splice(0)) await r.close();
});

async function serve(env: Record<string, string>): Promise<ServeProcess> {
  const p = await startServe({ env: { INBOXD_PARSE_WORKERS: '1', INBOXD_SWEEP_INTERVAL: '3600', INBOXD_ENV: 'test', ...env } });
  procs.push(p);
  return p;
}

async function betweenCommitAndSend(env: Record<string, string>, key: string): Promise<void> {
  const rx = await startWebhookReceiver();
  receivers.push(rx);
  const first = await serve({ ...env, INBOXD_ROLES: 'api,smtp' });
  const box = await api(first, 'POST', '/api/v1/mailboxes', key, {});
  const hook = await api(first, 'POST', '/api/v1/webhooks', key, { url: rx.url, mailbox: box.body.address });
  expect(hook.status).toBe(201);
  await sendAll(first, box.body.address, MESSAGES);
  await first.kill();
  expect(rx.received).toHaveLength(0);

  await serve({ ...env, INBOXD_ROLES: 'api,smtp,webhooks' });
  const got = await rx.waitFor(MESSAGES, () => true, 20_000);
  expect(got.map((r) => r.json.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 1));
  const verifier = new Webhook(hook.body.secret);
  for (const r of got) verifier.verify(r.body, r.headers as Record<string, string>);
  for (const p of procs) expect(p.output()).not.toContain(hook.body.secret.slice('whsec_'.length));
}

/**
 * the receiver hangs on the first request, the process is killed with it (and the rest of its
 * claimed rows) in flight; the restarted process sends them once the dead one's leases ran out
 * (2 × its 1 s timeout + 5 s): every seq arrives, a repeat carries the same webhook-id.
 */
async function midSend(env: Record<string, string>, key: string): Promise<void> {
  const rx = await startWebhookReceiver();
  receivers.push(rx);
  rx.hold = true;
  const first = await serve({ ...env, INBOXD_WEBHOOK_TIMEOUT: '1000' });
  const box = await api(first, 'POST', '/api/v1/mailboxes', key, {});
  const hook = await api(first, 'POST', '/api/v1/webhooks', key, { url: rx.url, mailbox: box.body.address });
  await sendAll(first, box.body.address, 4);
  await rx.waitFor(1);
  await first.kill();
  const held = rx.received[0]!;
  expect(held.json.seq).toBe(1);
  rx.hold = false;

  await serve({ ...env, INBOXD_WEBHOOK_TIMEOUT: '1000' });
  const got = await rx.waitFor(4, (r) => r.status === 200, 30_000);
  expect(got.map((r) => r.json.seq)).toEqual([1, 2, 3, 4]);
  expect(got[0]!.headers['webhook-id']).toBe(held.headers['webhook-id']);
  const verifier = new Webhook(hook.body.secret);
  for (const r of rx.received) verifier.verify(r.body, r.headers as Record<string, string>);
}

describe('webhooks across a SIGKILL (SQLite)', () => {
  it('sends every acknowledged message after a kill between commit and send', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-wh-kill-'));
    try {
      const key = await seedKey(new SqliteStore({ file: join(dataDir, 'inboxd.db'), synchronous: 'full' }));
      await betweenCommitAndSend({ INBOXD_DATA_DIR: dataDir }, key);
    } finally {
      for (const p of procs.splice(0)) await p.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('sends again what a process killed mid-send held, under the same webhook-id', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'inboxd-wh-kill-'));
    try {
      const key = await seedKey(new SqliteStore({ file: join(dataDir, 'inboxd.db'), synchronous: 'full' }));
      await midSend({ INBOXD_DATA_DIR: dataDir }, key);
    } finally {
      for (const p of procs.splice(0)) await p.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describeScale('INBOXD_TEST_DATABASE_URL', 'webhooks across a SIGKILL (PostgreSQL)', (urls) => {
  it('sends every acknowledged message after a kill between commit and send', async () => {
    const schema = uniqueName('whk');
    try {
      const env = { INBOXD_DATABASE_URL: urls.INBOXD_TEST_DATABASE_URL, INBOXD_DATABASE_SCHEMA: schema, INBOXD_DATABASE_POOL_SIZE: '4' };
      const key = await seedKey(await createPostgresStore({ url: urls.INBOXD_TEST_DATABASE_URL, schema, poolSize: 2 }));
      await betweenCommitAndSend(env, key);
    } finally {
      for (const p of procs.splice(0)) await p.kill();
      await dropSchema(urls.INBOXD_TEST_DATABASE_URL, schema);
    }
  }, 60_000);

  it('sends again what a process killed mid-send held, under the same webhook-id', async () => {
    const schema = uniqueName('whk');
    try {
      const env = { INBOXD_DATABASE_URL: urls.INBOXD_TEST_DATABASE_URL, INBOXD_DATABASE_SCHEMA: schema, INBOXD_DATABASE_POOL_SIZE: '4' };
      const key = await seedKey(await createPostgresStore({ url: urls.INBOXD_TEST_DATABASE_URL, schema, poolSize: 2 }));
      await midSend(env, key);
    } finally {
      for (const p of procs.splice(0)) await p.kill();
      await dropSchema(urls.INBOXD_TEST_DATABASE_URL, schema);
    }
  }, 60_000);
});
