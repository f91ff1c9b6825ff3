// The client commands as a shell script uses them (`inboxd create | wait | read | ls | rm` as a
// child process against a real server): outputs, the token file, and the exit codes
// 0 found / 1 timeout / 2 usage / 3 API error.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { runInboxd } from '../support/run-cli.js';

let s: TestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'inboxd-client-'));
  // INBOXD_API_KEY / INBOXD_TOKEN from the developer's shell must not leak in
  env = { INBOXD_URL: s.url, INBOXD_TOKEN_FILE: join(dir, 'config', 'tokens.json'), INBOXD_API_KEY: '', INBOXD_TOKEN: '' };
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const tokens = () => JSON.parse(readFileSync(env.INBOXD_TOKEN_FILE!, 'utf8')).tokens as Record<string, { token: string }>;

// each command is a fresh Node process through tsx: allow for a loaded machine
describe('inboxd client commands', { timeout: 90_000 }, () => {
  let address: string;

  it('create prints the address on stdout and keeps the session token in a 0600 file', async () => {
    const r = await runInboxd(['create', '--ttl', '15'], env);
    expect(r.code).toBe(0);
    address = r.stdout.trim();
    expect(address).toMatch(/^[a-z0-9-]+@inboxd\.test$/);
    expect(r.stdout).toBe(address + '\n');
    expect(r.stderr).toMatch(/expires in 15 min/);
    const token = tokens()[address]!.token;
    expect(r.stderr).toContain(`session token: ${token}`);
    expect(statSync(env.INBOXD_TOKEN_FILE!).mode & 0o777).toBe(0o600);

    const json = await runInboxd(['create', '--json'], env);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ owner_type: 'anonymous', last_seq: 0 });
    expect(tokens()[body.address]!.token).toBe(body.session_token);
  });

  it('wait --code prints only the code of a message sent mid-wait (exit 0)', async () => {
    const waiting = runInboxd(['wait', address, '--code', '--from', 'shop.example', '--timeout', '20'], env);
    // the CLI's wait is live on the server: the message can only reach it through the live path
    await s.feedsLive('wait', 1, 60_000);
    await s.send({ from: 'noreply@shop.example', to: address, subject: 'Your sign-in code', text: 'Use 482913 to sign in, or https://shop.example/magic?t=xyz' });
    const r = await waiting;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('482913\n');

    const link = await runInboxd(['wait', address, '--link'], env);
    expect(link.stdout).toBe('https://shop.example/magic?t=xyz\n');

    const human = await runInboxd(['wait', address, '--subject', 'sign-in'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Subject: Your sign-in code');
    expect(human.stdout).toContain('Code: 482913');

    const json = await runInboxd(['wait', address, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ seq: 1, codes: [{ value: '482913' }] });
  });

  it('wait exits 1 on timeout with the reason on stderr', async () => {
    const r = await runInboxd(['wait', address, '--after-seq', '1', '--timeout', '1', '--code'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('inboxd wait: no message matched within 1 s\nnothing arrived and nothing was refused\n');
  });

  it('read, ls and rm a message and the mailbox', async () => {
    const [read, latest] = await Promise.all([runInboxd(['read', address], env), runInboxd(['read', address, '--latest', '--json'], env)]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('From: noreply@shop.example');
    expect(read.stdout).toContain('Use 482913 to sign in');
    const id = JSON.parse(latest.stdout).id;
    const [raw, ls, mailboxes] = await Promise.all([runInboxd(['read', address, id, '--raw'], env), runInboxd(['ls', address], env), runInboxd(['ls', '--json'], env)]);
    expect(raw.stdout).toContain('Subject: Your sign-in code\r\n');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`^#1 {2}${id} .* noreply@shop\\.example {2}Your sign-in code {2}code 482913\\n$`));
    expect(JSON.parse(mailboxes.stdout).map((m: { address: string }) => m.address)).toContain(address);

    expect((await runInboxd(['rm', address, id], env)).stdout).toBe(`deleted message ${id}\n`);
    const empty = await runInboxd(['read', address], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('has no messages');

    const rm = await runInboxd(['rm', address], env);
    expect(rm.code).toBe(0);
    expect(tokens()[address]).toBeUndefined();
  });

  it('exits 2 on usage errors and 3 on API errors, naming the code', async () => {
    const usage = [['wait'], ['wait', 'a@inboxd.test', '--code', '--link'], ['create', '--ttl', 'soon'], ['wait', 'a@inboxd.test', '--bogus']];
    const [unauthorized, down, ...misused] = await Promise.all([
      runInboxd(['read', 'nobody@inboxd.test', '--token', 'wrong'], env),
      runInboxd(['ls', 'a@inboxd.test'], { ...env, INBOXD_URL: 'http://127.0.0.1:9' }),
      ...usage.map((args) => runInboxd(args, env)),
    ]);
    misused.forEach((r, i) => {
      expect(r.code, usage[i]!.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage:');
    });
    expect(unauthorized!.code).toBe(3);
    expect(unauthorized!.stderr).toMatch(/^inboxd read: unauthorized: /);
    expect(down!.code).toBe(3);
    expect(down!.stderr).toContain('network_error');
  });

  it('with an API key: create in a group, ls the group, rm --group', async () => {
    const { key } = await s.userWithKey('pro');
    const keyed = { ...env, INBOXD_API_KEY: key };
    const group = `ci-${Date.now()}`;
    const made = await runInboxd(['create', '--group', group, '--local-part', `cli-${Date.now()}`], keyed);
    expect(made.code).toBe(0);
    const owned = made.stdout.trim();
    expect(made.stderr).not.toContain('session token');
    expect(tokens()[owned]).toBeUndefined();

    const ls = await runInboxd(['ls', '--group', group], keyed);
    expect(ls.stdout).toMatch(new RegExp(`^${owned.replace(/\./g, '\\.')} {2}expires in \\d+ min {2}0 messages {2}group ${group}\\n$`));

    const rm = await runInboxd(['rm', '--group', group], keyed);
    expect(rm.stdout).toBe(`deleted 1 mailbox of group ${group}\n`);
    expect(JSON.parse((await runInboxd(['ls', '--group', group, '--json'], keyed)).stdout)).toEqual([]);
  });
});

describe('inboxd keys', { timeout: 90_000 }, () => {
  it('creates a key (printed once), lists it and revokes it; without an API key it is a usage error', async () => {
    const user = await s.userWithKey('pro');
    const withKey = { ...env, INBOXD_API_KEY: user.key };
    const made = await runInboxd(['keys', 'create', '--name', 'ci-runner', '--json'], withKey);
    expect(made.code).toBe(0);
    const created = JSON.parse(made.stdout);
    expect(created).toMatchObject({ name: 'ci-runner', active: true, key: expect.stringMatching(/^ibx_/) });
    const listed = await runInboxd(['keys', 'ls'], withKey);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(created.id);
    expect(listed.stdout).not.toContain(created.key);
    const rm = await runInboxd(['keys', 'rm', created.id], withKey);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain('revoked');
    expect((await s.api('GET', '/api/v1/mailboxes', { token: created.key })).status).toBe(401);
    const noKey = await runInboxd(['keys', 'ls'], env);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('needs an API key');
  });
});
