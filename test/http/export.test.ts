// Export (GET /api/v1/mailboxes/{address}/export, GET /api/v1/mailboxes/export?group=): mail sent
// over SMTP comes back as an mbox Python's mailbox module reads, or a zip Python's zipfile reads
// with every .eml byte-exact; access follows the mailbox rules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
let owner: { key: string };
let dir: string;
beforeAll(async () => {
  s = await startTestServer();
  owner = await s.userWithKey('pro');
  dir = mkdtempSync(join(tmpdir(), 'inboxd-export-'));
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function download(path: string, token: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** reads a file with Python's standard library: an independent mbox and zip reader. */
function python(script: string, file: string): any {
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

const READ_MBOX = `
import json, mailbox, sys
print(json.dumps([{"subject": m["subject"], "from_line": m.get_from(), "body": None if m.is_multipart() else m.get_payload()} for m in mailbox.mbox(sys.argv[1], create=False)]))`;
const READ_ZIP = `
import base64, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))`;

async function mailbox(group?: string): Promise<string> {
  const res = await s.api('POST', '/api/v1/mailboxes', { token: owner.key, body: group ? { group } : {} });
  expect(res.status).toBe(201);
  return res.body.address;
}

async function rawOf(address: string): Promise<Map<string, Buffer>> {
  const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages?order=asc`, { token: owner.key });
  const out = new Map<string, Buffer>();
  for (const m of list.body) out.set(m.id, (await download(`/api/v1/mailboxes/${address}/messages/${m.id}/raw`, owner.key)).bytes);
  return out;
}

describe('export of one mailbox', () => {
  let address: string;
  beforeAll(async () => {
    address = await mailbox();
    await s.send({ from: 'shop@example.com', to: address, subject: 'First', text: 'Hello.\nFrom the team, with love.\n>From a quote.\n' });
    await s.send({ from: 'shop@example.com', to: address, subject: 'Second', text: 'Your code is 482913.', attachments: [{ filename: 'a.bin', content: Buffer.from([0, 1, 2, 255]) }] });
  });

  it('mbox: both messages, oldest first, From_ lines, body lines escaped the mboxrd way', async () => {
    const res = await download(`/api/v1/mailboxes/${address}/export?format=mbox`, owner.key);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/mbox/);
    expect(res.disposition).toContain(`${address}.mbox`);
    const file = join(dir, 'one.mbox');
    writeFileSync(file, res.bytes);
    const read = python(READ_MBOX, file);
    expect(read.map((m: any) => m.subject)).toEqual(['First', 'Second']);
    expect(read[0].from_line).toMatch(/^shop@example\.com \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    // a body line starting "From " can never be taken for a separator; ">From " gains one more ">"
    expect(read[0].body).toContain('\n>From the team, with love.\n>>From a quote.\n');
    // undoing the escape gives back each raw message with LF line ends
    const raws = [...(await rawOf(address)).values()].map((b) => b.toString('latin1').replace(/\r\n/g, '\n'));
    const messages = res.bytes.toString('latin1').split(/^From [^\n]*\n/m).slice(1).map((m) => m.replace(/^>(>*From )/gm, '$1').replace(/\n\n$/, raws[0]!.endsWith('\n') ? '\n' : ''));
    expect(messages).toEqual(raws);
  });

  it('zip: one <address>/<seq>-<id>.eml per message, byte-exact', async () => {
    const res = await download(`/api/v1/mailboxes/${address}/export?format=zip`, owner.key);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/zip');
    const file = join(dir, 'one.zip');
    writeFileSync(file, res.bytes);
    const entries = python(READ_ZIP, file) as Record<string, string>;
    const raws = await rawOf(address);
    const ids = [...raws.keys()];
    expect(Object.keys(entries)).toEqual([`${address}/000001-${ids[0]}.eml`, `${address}/000002-${ids[1]}.eml`]);
    for (const [name, b64] of Object.entries(entries)) {
      const id = name.split('-').slice(-1)[0]!.replace(/\.eml$/, '');
      expect(Buffer.from(b64, 'base64').equals(raws.get(id)!)).toBe(true);
    }
  });

  it('a session token exports its own mailbox; another owner gets the mailbox rules\' answer', async () => {
    const anon = await s.anonymousMailbox();
    await s.send({ to: anon.address, subject: 'Mine', text: 'x' });
    const own = await fetch(`${s.url}/api/v1/mailboxes/${anon.address}/export`, { headers: { 'x-session-token': anon.token } });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('Subject: Mine');

    const other = await s.userWithKey('pro');
    const res = await s.api('GET', `/api/v1/mailboxes/${address}/export`, { token: other.key });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
  });

  it('refuses an unknown format with 400 invalid_input', async () => {
    const res = await s.api('GET', `/api/v1/mailboxes/${address}/export?format=tar`, { token: owner.key });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
  });
});

describe('export of the caller\'s mailboxes', () => {
  it('?group= exports that run group only, in one zip', async () => {
    const a = await mailbox('run-42');
    const b = await mailbox('run-42');
    const outside = await mailbox('run-43');
    for (const to of [a, b, outside]) await s.send({ to, subject: `to ${to}`, text: 'x' });
    const res = await download('/api/v1/mailboxes/export?group=run-42&format=zip', owner.key);
    expect(res.status).toBe(200);
    expect(res.disposition).toContain('inboxd-run-42.zip');
    const file = join(dir, 'group.zip');
    writeFileSync(file, res.bytes);
    const folders = new Set(Object.keys(python(READ_ZIP, file)).map((n) => n.split('/')[0]));
    expect(folders).toEqual(new Set([a, b]));
  });

  it('needs credentials outside a development server\'s loopback', async () => {
    const res = await s.api('GET', '/api/v1/mailboxes/export');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
  });
});
