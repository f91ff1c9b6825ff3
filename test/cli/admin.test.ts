// `inboxd admin` as an operator runs it: plans, users, keys against the real database of the pair
// under test (a SQLite file, or a fresh PostgreSQL schema); the key is printed once and only its
// SHA-256 is stored, and it works against the API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/tokens.js';
import { startTestServer, testPair } from '../support/harness.js';
import { dropSchema, uniqueName } from '../support/scale-env.js';
import { runInboxd } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inboxd-admin-'));
const schema = uniqueName('admin');
const scale = testPair() === 'scale';
const env: Record<string, string> = { INBOXD_DATA_DIR: dir, INBOXD_LOG_LEVEL: 'silent' };
if (scale) Object.assign(env, { INBOXD_DATABASE_URL: process.env.INBOXD_TEST_DATABASE_URL!, INBOXD_DATABASE_SCHEMA: schema });
const serverOn = scale ? { data_dir: dir, database_url: env.INBOXD_DATABASE_URL, database_schema: schema } : { data_dir: dir };
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (scale) await dropSchema(env.INBOXD_DATABASE_URL!, schema);
});

describe('inboxd admin', () => {
  it('lists the seeded plans, creates and updates one', async () => {
    const list = await runInboxd(['admin', 'plans', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((p: { name: string }) => p.name)).toEqual(['free', 'pro']);
    const created = await runInboxd(
      ['admin', 'plans', 'create', '--name', 'team', '--max-mailboxes', '50', '--max-messages-per-mailbox', '-1', '--default-ttl-minutes', '30', '--max-ttl-minutes', '600', '--max-message-bytes', '1000000'],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created plan team');
    const updated = await runInboxd(['admin', 'plans', 'update', '--name', 'team', '--max-mailboxes', '75', '--json'], env);
    expect(JSON.parse(updated.stdout)).toMatchObject({ name: 'team', max_mailboxes: 75, max_messages_per_mailbox: -1 });
    const bad = await runInboxd(['admin', 'plans', 'update', '--name', 'team', '--max-mailboxes', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-mailboxes must be an integer');
  });

  it('creates a user and a key that is shown once, stored as SHA-256, and opens the API', async () => {
    const user = await runInboxd(['admin', 'users', 'create', '--email', 'CI@Example.com', '--plan', 'team', '--json'], env);
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ email: 'ci@example.com', plan: 'team' });
    const dup = await runInboxd(['admin', 'users', 'create', '--email', 'ci@example.com'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already_exists');

    const made = await runInboxd(['admin', 'keys', 'create', '--user', 'ci@example.com', '--name', 'github', '--json'], env);
    expect(made.code).toBe(0);
    const { key, prefix } = JSON.parse(made.stdout);
    expect(key).toMatch(/^ibx_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);

    const listed = await runInboxd(['admin', 'keys', 'list', '--user', 'ci@example.com'], env);
    expect(listed.stdout).toContain(prefix);
    expect(listed.stdout).not.toContain(key);

    const s = await startTestServer(serverOn);
    try {
      // found by its hash through the store; the stored record holds no trace of the key itself
      const store = s.inboxd.core.store;
      const found = await store.findApiKey(hashSecret(key), Date.now());
      expect(found?.user.email).toBe('ci@example.com');
      const keys = await store.listApiKeys(found!.user.id);
      expect(keys).toHaveLength(1);
      expect(JSON.stringify(keys)).not.toContain(key.slice(prefix.length));

      const res = await s.api('POST', '/api/v1/mailboxes', { token: key, body: { local_part: 'from-cli' } });
      expect(res.status).toBe(201);
      expect(res.body.owner_type).toBe('api');
    } finally {
      await s.inboxd.close();
    }
  });

  it('revokes a key: refused at once, and a WebSocket it opened closes (bus on the scale pair, re-check on the embedded one)', async () => {
    // on the scale pair the CLI and the server share Redis, so the revocation is announced there
    const bus = scale ? { redis_url: process.env.INBOXD_TEST_REDIS_URL!, redis_key_prefix: `${schema}:` } : {};
    const cliEnv = scale ? { ...env, INBOXD_REDIS_URL: bus.redis_url!, INBOXD_REDIS_KEY_PREFIX: bus.redis_key_prefix! } : env;
    const s = await startTestServer({ ...serverOn, ...bus, ws_ping_interval: 1 });
    try {
      // the user and key come through the store (each CLI run costs seconds on a busy machine)
      const user = await s.userWithKey('pro');
      const made = { key: user.key, id: (await s.inboxd.core.store.listApiKeys(user.userId))[0]!.id };
      const box = await s.api('POST', '/api/v1/mailboxes', { token: made.key, body: {} });
      expect(box.status).toBe(201);
      const ws = await s.ws(`/ws/inbox/${box.body.address}?api_key=${made.key}`);
      const revoked = await runInboxd(['admin', 'keys', 'revoke', '--id', made.id, '--json'], cliEnv);
      expect(revoked.code).toBe(0);
      expect(JSON.parse(revoked.stdout)).toMatchObject({ id: made.id, active: false });
      expect((await s.api('GET', '/api/v1/mailboxes', { token: made.key })).status).toBe(401);
      expect(await ws.closed).toEqual({ code: 1008, reason: 'unauthorized' });
      const unknown = await runInboxd(['admin', 'keys', 'revoke', '--id', 'no-such-key'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('not_found');
    } finally {
      await s.inboxd.close();
    }
  }, 90_000);

  it('stops start-up on a bad setting with a message naming the variable and the flag', async () => {
    const res = await runInboxd(['serve'], { ...env, INBOXD_SMTP_PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/INBOXD_SMTP_PORT \(--smtp-port\)/);
    const flag = await runInboxd(['serve', '--http-port', '70000'], env);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/INBOXD_HTTP_PORT \(--http-port\).*70000/);
  });
});
