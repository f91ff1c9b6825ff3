// `inboxd faults …` and the explained timeout of `inboxd wait` (#16 items 1 and 2), as a shell
// script uses them: a child process against a real server.
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
  dir = mkdtempSync(join(tmpdir(), 'inboxd-faults-cli-'));
  env = { INBOXD_URL: s.url, INBOXD_TOKEN_FILE: join(dir, 'tokens.json'), INBOXD_API_KEY: '', INBOXD_TOKEN: '' };
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inboxd faults', { timeout: 90_000 }, () => {
  it('sets, shows and deletes a mailbox script; wait on timeout names the near miss and the faulted attempt', async () => {
    const box = await s.anonymousMailbox();
    const e = { ...env, INBOXD_TOKEN: box.token };
    const set = await runInboxd(['faults', 'set', box.address, '[{"stage":"rcpt","reply":"451 4.3.0 Try again later","times":1}]'], e);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('rcpt  451 4.3.0 Try again later  used 0 of 1');

    await expect(s.send({ to: box.address, subject: 'first try', text: 'x' })).rejects.toMatchObject({ responseCode: 451 });
    await s.send({ to: box.address, subject: 'Welcome', text: 'x' });
    const shown = await runInboxd(['faults', box.address, '--json'], e);
    expect(JSON.parse(shown.stdout).rules[0]).toMatchObject({ used: 1, times: 1 });

    const waited = await runInboxd(['wait', box.address, '--subject', 'code', '--timeout', '0'], e);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain('no message matched within 0 s');
    expect(waited.stderr).toMatch(/#1 "Welcome" from sender@example\.com, .* — failed subject/);
    expect(waited.stderr).toMatch(/fault: 451 4\.3\.0 Try again later \(from sender@example\.com\)/);

    const rm = await runInboxd(['faults', 'rm', box.address], e);
    expect(rm.code).toBe(0);
    expect((await runInboxd(['faults', box.address], e)).stdout).toContain('(no fault script on');
  });

  it('refuses a bad script with the field named (exit 3) and bad JSON as usage (exit 2)', async () => {
    const box = await s.anonymousMailbox();
    const e = { ...env, INBOXD_TOKEN: box.token };
    const bad = await runInboxd(['faults', 'set', box.address, '[{"stage":"rcpt","reply":"250 ok"}]'], e);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('rules[0].reply');
    expect((await runInboxd(['faults', 'set', box.address, 'not json'], e)).code).toBe(2);
    expect((await runInboxd(['faults', '--group', 'g'], e)).code).toBe(2);
  });
});
