// `inboxd search` as a shell script uses it (a child process against a real server): one line per
// match naming its mailbox, --json, exit 1 when nothing matches, 3 with the code for a bad query,
// and without an API key the anonymous mailboxes this machine created (the token file).
import { mkdtempSync, rmSync } from 'node:fs';
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
  dir = mkdtempSync(join(tmpdir(), 'inboxd-search-'));
  env = { INBOXD_URL: s.url, INBOXD_TOKEN_FILE: join(dir, 'tokens.json'), INBOXD_API_KEY: '', INBOXD_TOKEN: '' };
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

// each command is a fresh Node process through tsx: allow for a loaded machine
describe('inboxd search', { timeout: 90_000 }, () => {
  it('searches the API key owner\'s mailboxes, newest first, one line per match', async () => {
    const { key } = await s.userWithKey('pro');
    const first = (await s.api('POST', '/api/v1/mailboxes', { token: key })).body.address as string;
    const second = (await s.api('POST', '/api/v1/mailboxes', { token: key })).body.address as string;
    await s.send({ from: 'shop@example.com', to: first, subject: 'Your code', text: 'Use 482913 to sign in' });
    await s.send({ from: 'shop@example.com', to: second, subject: 'Your receipt', text: 'Thanks for your order' });
    await s.send({ from: 'news@example.org', to: second, subject: 'Weekly news', text: 'Nothing to sign' });
    const keyed = { ...env, INBOXD_API_KEY: key };

    const r = await runInboxd(['search', 'from:shop', '-receipt'], keyed);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${first}  #1  \\S+  \\S+  shop@example.com  Your code  code 482913  \\(unread\\)$`))]);

    const json = await runInboxd(['search', 'from:shop', '--json', '--limit', '1'], keyed);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ address: second, subject: 'Your receipt' })]);

    const none = await runInboxd(['search', 'subject:invoice'], keyed);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('no message matches "subject:invoice"');

    const bad = await runInboxd(['search', 'after:someday'], keyed);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^inboxd search: invalid_query: "someday" is not a date/);
  });

  it('searches the anonymous mailboxes in the token file without an API key', async () => {
    const created = await runInboxd(['create'], env);
    expect(created.code).toBe(0);
    const address = created.stdout.trim();
    await s.send({ from: 'shop@example.com', to: address, subject: 'Anonymous hello', text: 'hi' });
    const r = await runInboxd(['search', 'anonymous'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${address}  #1`);
    expect(r.stdout).toContain('Anonymous hello');
  });
});
