// Export through the SDK (Mailbox.export, Inboxd.exportMailboxes) and the CLI (`inboxd export`):
// the same bytes the REST endpoint gives (test/http/export.test.ts checks the formats).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inboxd } from '@inboxd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { runInboxd } from '../support/run-cli.js';

let s: TestServer;
let key: string;
let address: string;
let dir: string;
beforeAll(async () => {
  s = await startTestServer();
  ({ key } = await s.userWithKey('pro'));
  dir = mkdtempSync(join(tmpdir(), 'inboxd-cli-export-'));
  address = (await s.api('POST', '/api/v1/mailboxes', { token: key, body: { group: 'ci-7' } })).body.address;
  await s.send({ to: address, subject: 'Exported', text: 'Your code is 482913.' });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export in the SDK and the CLI', () => {
  it('Mailbox.export and Inboxd.exportMailboxes give the endpoint\'s bytes', async () => {
    const client = new Inboxd({ baseUrl: s.url, apiKey: key });
    const mbox = Buffer.from(await client.mailbox(address).export());
    expect(mbox.toString('latin1')).toMatch(/^From sender@example\.com /);
    expect(mbox.toString('latin1')).toContain('Subject: Exported');
    const zip = Buffer.from(await client.exportMailboxes({ group: 'ci-7', format: 'zip' }));
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    const direct = await fetch(`${s.url}/api/v1/mailboxes/export?group=ci-7&format=zip`, { headers: { authorization: `Bearer ${key}` } });
    expect(Buffer.from(await direct.arrayBuffer()).length).toBe(zip.length);
  });

  it('inboxd export writes an mbox or zip to a file, and refuses a bad format with exit 2', async () => {
    const env = { INBOXD_URL: s.url, INBOXD_API_KEY: key };
    const file = join(dir, 'run.zip');
    const ok = await runInboxd(['export', '--group', 'ci-7', '--format', 'zip', '-o', file], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^wrote \d+ bytes to /);
    expect(readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');

    const one = await runInboxd(['export', address], env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('Subject: Exported');

    const bad = await runInboxd(['export', address, '--format', 'tar'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be mbox or zip');
  });
});
