// Several real `inboxd serve` processes on one PostgreSQL and one Redis behave as one service:
// a WebSocket on node A hears about mail accepted by SMTP on node B, a mailbox created on A is
// read on B, and three sweepers expire (and announce) each mailbox exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { connectWs } from '../support/harness.js';
import { describeScale, uniqueName, useFreshSchema } from '../support/scale-env.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Node {
  child: ChildProcess;
  http: string;
  smtpPort: number;
}

/** starts `inboxd serve` and resolves once its "inboxd ready" log line names its ports. */
function startNode(env: Record<string, string>, roles: string): Promise<Node> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--roles', roles], {
      cwd: root,
      env: { ...process.env, ...env, INBOXD_HTTP_PORT: '0', INBOXD_SMTP_PORT: '0', INBOXD_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${err || out}`)), 30_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      for (const line of out.split('\n')) {
        if (!line.includes('inboxd ready')) continue;
        const ready = JSON.parse(line) as { http: string | null; smtp: string | null };
        clearTimeout(timer);
        resolve({ child, http: ready.http ?? '', smtpPort: ready.smtp ? Number(ready.smtp.split(':').pop()) : 0 });
        return;
      }
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${err}`)));
  });
}

describeScale(['INBOXD_TEST_DATABASE_URL', 'INBOXD_TEST_REDIS_URL'], 'many nodes', (urls) => {
  const schema = useFreshSchema(urls.INBOXD_TEST_DATABASE_URL);
  const prefix = `${uniqueName('mn')}:`;
  const env = {
    INBOXD_DATABASE_URL: urls.INBOXD_TEST_DATABASE_URL,
    INBOXD_DATABASE_SCHEMA: schema,
    INBOXD_REDIS_URL: urls.INBOXD_TEST_REDIS_URL,
    INBOXD_REDIS_KEY_PREFIX: prefix,
    INBOXD_SWEEP_INTERVAL: '1',
    INBOXD_DATABASE_POOL_SIZE: '4',
  };
  const nodes: Node[] = [];
  let store: PostgresStore;

  beforeAll(async () => {
    // migrate once up front, so the nodes start on a ready schema
    store = await createPostgresStore({ url: urls.INBOXD_TEST_DATABASE_URL, poolSize: 2, schema });
    await store.migrate();
    nodes.push(...(await Promise.all([startNode(env, 'api,smtp,sweeper'), startNode(env, 'api,smtp,sweeper'), startNode(env, 'sweeper')])));
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) {
      n.child.kill('SIGTERM');
      await new Promise((r) => n.child.once('exit', r));
    }
    await store?.close();
  });

  it('tells a WebSocket on node A about mail accepted on node B, and reads A\'s mailbox on B', async () => {
    const [a, b] = nodes as [Node, Node];
    const created = await (await fetch(`${a.http}/api/v1/mailboxes`, { method: 'POST' })).json();
    const ws = await connectWs(`${a.http.replace('http', 'ws')}/ws/inbox/${created.address}?token=${created.session_token}`);
    // the proof the subscription on A is live: a message through A's own SMTP arrives first
    const viaA = nodemailer.createTransport({ host: '127.0.0.1', port: a.smtpPort, ignoreTLS: true });
    await viaA.sendMail({ from: 'x@example.com', to: created.address, subject: 'via A', text: 'x' });
    expect((await ws.next((e) => e.event === 'new_message')).subject).toBe('via A');

    const viaB = nodemailer.createTransport({ host: '127.0.0.1', port: b.smtpPort, ignoreTLS: true });
    const info = await viaB.sendMail({ from: 'x@example.com', to: created.address, subject: 'via B', text: 'code 246810' });
    expect(info.response).toMatch(/^250 /);
    const ev = await ws.next((e) => e.event === 'new_message');
    expect(ev).toMatchObject({ seq: 2, subject: 'via B' });
    ws.close();

    const onB = await fetch(`${b.http}/api/v1/mailboxes/${created.address}/messages/${ev.message_id}`, { headers: { 'x-session-token': created.session_token } });
    expect(onB.status).toBe(200);
    expect((await onB.json()).codes[0].value).toBe('246810');
  });

  it('counts a fault script once across nodes: "451 three times" is three 451s whichever node answers (#16.1)', async () => {
    const [a, b] = nodes as [Node, Node];
    const created = await (await fetch(`${a.http}/api/v1/mailboxes`, { method: 'POST' })).json();
    const put = await fetch(`${b.http}/api/v1/mailboxes/${created.address}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-session-token': created.session_token },
      body: JSON.stringify({ rules: [{ stage: 'rcpt', reply: '451 4.3.0 Try again later', times: 3 }] }),
    });
    expect(put.status).toBe(200);
    // eight senders at once, alternating nodes: exactly three are refused, the others stored
    const sends = Array.from({ length: 8 }, (_, i) =>
      nodemailer
        .createTransport({ host: '127.0.0.1', port: (i % 2 ? b : a).smtpPort, ignoreTLS: true })
        .sendMail({ from: 'x@example.com', to: created.address, subject: `try ${i}`, text: 'x' })
        .then(
          () => 250,
          (err: { responseCode?: number }) => err.responseCode ?? 0,
        ),
    );
    const codes = await Promise.all(sends);
    expect(codes.filter((c) => c === 451)).toHaveLength(3);
    expect(codes.filter((c) => c === 250)).toHaveLength(5);
    const script = await (await fetch(`${a.http}/api/v1/mailboxes/${created.address}/faults`, { headers: { 'x-session-token': created.session_token } })).json();
    expect(script.rules[0]).toMatchObject({ used: 3, times: 3 });
  });

  it('expires and announces each mailbox exactly once with three sweepers running', async () => {
    const [a] = nodes as [Node];
    const addresses: string[] = [];
    for (let i = 0; i < 6; i++) addresses.push((await (await fetch(`${a.http}/api/v1/mailboxes`, { method: 'POST' })).json()).address);

    const listener = new Redis(urls.INBOXD_TEST_REDIS_URL);
    const expired = new Map<string, number>();
    listener.on('pmessage', (_p: string, _channel: string, payload: string) => {
      const ev = JSON.parse(payload);
      if (ev.event === 'mailbox_expired') expired.set(ev.address, (expired.get(ev.address) ?? 0) + 1);
    });
    await listener.psubscribe(`inboxd:${prefix}mailbox:*`);
    try {
      // end their TTL now, through the store interface, as the clock would
      for (const address of addresses) {
        const m = await store.getMailbox(address);
        await store.setMailboxExpiry(m!.id, Date.now() - 1000);
      }
      for (let i = 0; i < 100 && expired.size < addresses.length; i++) await new Promise((r) => setTimeout(r, 100));
      // a few more sweeper ticks on every node: nothing is announced twice
      await new Promise((r) => setTimeout(r, 2500));
      expect([...expired.keys()].sort()).toEqual([...addresses].sort());
      expect([...expired.values()].every((n) => n === 1)).toBe(true);
      for (const address of addresses) expect((await store.getMailbox(address))?.active).toBe(false);
    } finally {
      listener.disconnect();
    }
  });
});
