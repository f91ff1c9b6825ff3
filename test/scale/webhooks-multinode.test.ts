// Three real `inboxd serve` processes on one PostgreSQL and one Redis share the webhook outbox
// (#15 item 3): mail accepted by SMTP on every node reaches the receiver once per event (one
// webhook-id each, none twice, none missing: FOR UPDATE SKIP LOCKED and the lease), each
// mailbox's events in seq order, each request verified by the `standardwebhooks` package.
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashSecret, newApiKey } from '../../src/core/tokens.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { eventually } from '../support/fault-tools.js';
import { describeScale, dropSchema, uniqueName } from '../support/scale-env.js';
import { type ServeProcess, startServe } from '../support/serve-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const MAILBOXES = 3;
const PER_NODE_AND_MAILBOX = 4;

describeScale(['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL'], 'webhooks on many nodes', (urls) => {
  const schema = uniqueName('whmn');
  const env = {
    INBOXD_DATABASE_URL: urls.INBOXD_TEST_DATABASE_URL,
    INBOXD_DATABASE_SCHEMA: schema,
    INBOXD_REDIS_URL: urls.INBOXD_TEST_REDIS_URL,
    INBOXD_REDIS_KEY_PREFIX: `${schema}:`,
    INBOXD_DATABASE_POOL_SIZE: '4',
    INBOXD_PARSE_WORKERS: '1',
    INBOXD_SWEEP_INTERVAL: '3600',
    INBOXD_ENV: 'test',
    // every node also polls, so each one competes for every other node's rows
    INBOXD_WEBHOOK_POLL_INTERVAL: '100',
  };
  const nodes: ServeProcess[] = [];
  let rx: WebhookReceiver;
  let key: string;

  beforeAll(async () => {
    const store = await createPostgresStore({ url: urls.INBOXD_TEST_DATABASE_URL, schema, poolSize: 2 });
    await store.migrate();
    const user = await store.createUser({ email: `mn-${Date.now()}@example.com`, plan: 'pro' });
    const k = newApiKey();
    await store.createApiKey({ userId: user.id, name: 'test', keyHash: hashSecret(k.key), prefix: k.prefix });
    await store.close();
    key = k.key;
    rx = await startWebhookReceiver();
    for (let i = 0; i < 3; i++) nodes.push(await startServe({ env }));
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) await n.kill();
    await rx?.close();
    await dropSchema(urls.INBOXD_TEST_DATABASE_URL, schema);
  });

  it('sends each event once per endpoint, whichever node accepted the mail', async () => {
    const call = async (node: ServeProcess, path: string, body: unknown) => {
      const res = await fetch(node.http + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as any;
    };
    const hook = await call(nodes[0]!, '/api/v1/webhooks', { url: rx.url });
    const boxes: string[] = [];
    for (let i = 0; i < MAILBOXES; i++) boxes.push((await call(nodes[i % 3]!, '/api/v1/mailboxes', {})).address);

    // every node takes mail for every mailbox, interleaved, in parallel across nodes
    await Promise.all(
      nodes.map(async (node, n) => {
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: node.smtpPort, secure: false, ignoreTLS: true });
        try {
          for (let i = 0; i < PER_NODE_AND_MAILBOX; i++) {
            for (const to of boxes) await transport.sendMail({ from: 'a@example.com', to, subject: `node ${n} #${i}`, text: 'x' });
          }
        } finally {
          transport.close();
        }
      }),
    );
    const total = MAILBOXES * PER_NODE_AND_MAILBOX * nodes.length;
    await rx.waitFor(total, () => true, 30_000);
    // every attempt recorded (a node that sent a row twice would have recorded it twice)
    const attempts = async () => {
      const res = await fetch(`${nodes[1]!.http}/api/v1/webhooks/${hook.id}/attempts?limit=200`, { headers: { authorization: `Bearer ${key}` } });
      return (await res.json()) as any[];
    };
    expect(await eventually(async () => (await attempts()).length >= total)).toBe(true);
    expect(await attempts()).toHaveLength(total);
    expect(rx.received).toHaveLength(total);
    const ids = rx.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(total);
    const verifier = new Webhook(hook.secret);
    for (const r of rx.received) verifier.verify(r.body, r.headers as Record<string, string>);
    for (const address of boxes) {
      const seqs = rx.received.filter((r) => r.json.address === address).map((r) => r.json.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: PER_NODE_AND_MAILBOX * nodes.length }, (_, i) => i + 1));
    }
  }, 90_000);
});
