// Hostile and broken input over real SMTP: each is stored (raw bytes kept, parse_error set when
// the parser could not read it) or refused with a defined answer, and the server stays healthy
// and responsive to other clients throughout.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSmtp, startTestServer, type TestServer } from '../support/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ smtp_max_message_bytes: 30_000_000 });
});
afterAll(async () => {
  await s.close();
});

/** sends `body` verbatim as DATA (dot-stuffed, CRLF.CRLF appended) and returns the final reply. */
async function sendRaw(to: string, body: Buffer): Promise<string> {
  const c = await rawSmtp(s.smtpPort);
  try {
    await c.reply();
    await c.cmd('EHLO raw');
    expect(await c.cmd('MAIL FROM:<raw@example.com>')).toMatch(/^250/);
    expect(await c.cmd(`RCPT TO:<${to}>`)).toMatch(/^250/);
    expect(await c.cmd('DATA')).toMatch(/^354/);
    // dot-stuff lines that start with '.', as any SMTP client must (RFC 5321 §4.5.2)
    const stuffed = Buffer.from(body.toString('latin1').replace(/(^|\n)\./g, '$1..'), 'latin1');
    c.write(stuffed);
    c.write(stuffed.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n');
    return await c.reply(60_000);
  } finally {
    c.close();
  }
}

async function stored(address: string, token: string) {
  const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages?limit=1`, { token });
  const id = list.body[0].id;
  const msg = await s.api('GET', `/api/v1/mailboxes/${address}/messages/${id}`, { token });
  const raw = await fetch(`${s.url}/api/v1/mailboxes/${address}/messages/${id}/raw`, { headers: { authorization: `Bearer ${token}` } });
  return { msg: msg.body, raw: Buffer.from(await raw.arrayBuffer()) };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('bad input', () => {
  it('stores malformed MIME (an unterminated boundary) and keeps the bytes', async () => {
    const { address, token } = await s.anonymousMailbox();
    const body = Buffer.from(
      `From: a@example.com\r\nTo: ${address}\r\nSubject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhalf a part\r\n--XX\r\nContent-Type: text/html\r\n\r\n<p>never closed`,
    );
    expect(await sendRaw(address, body)).toMatch(/^250 /);
    const { msg, raw } = await stored(address, token);
    expect(msg.subject).toBe('broken');
    expect(raw.toString('latin1')).toContain('half a part');
  });

  it('stores a message with no headers at all', async () => {
    const { address, token } = await s.anonymousMailbox();
    expect(await sendRaw(address, Buffer.from('just a body line\r\nand another\r\n'))).toMatch(/^250 /);
    const { msg, raw } = await stored(address, token);
    expect(msg.subject).toBeNull();
    expect(raw.toString()).toBe('just a body line\r\nand another\r\n');
  });

  it('stores 8-bit bytes, a NUL and bare LFs exactly as received', async () => {
    const { address, token } = await s.anonymousMailbox();
    const body = Buffer.concat([
      Buffer.from(`From: a@example.com\r\nTo: ${address}\r\nSubject: bytes\r\n\r\n`),
      Buffer.from([0xe9, 0xe8, 0xff, 0x00, 0x41, 0x0a, 0x42, 0x0a, 0x0d, 0x0a]),
      Buffer.from('end\r\n'),
    ]);
    expect(await sendRaw(address, body)).toMatch(/^250 /);
    const { msg, raw } = await stored(address, token);
    expect(msg.subject).toBe('bytes');
    // smtp-server prepends nothing; what was sent is what is kept
    expect(sha(raw)).toBe(sha(body));
  });

  it('keeps NUL and other C0 controls out of every parsed text field, on either store, and the raw bytes exact', async () => {
    const { address, token } = await s.anonymousMailbox();
    const body = Buffer.concat([
      Buffer.from(`From: =?UTF-8?Q?Es=1Bc_Name?= <a@example.com>\r\nTo: ${address}\r\nSubject: nul`),
      Buffer.from([0x00]),
      Buffer.from(' here =?UTF-8?Q?and=00encoded?=\r\nX-Note: bell'),
      Buffer.from([0x07]),
      Buffer.from(`\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncode 482913\ttab`),
      Buffer.from([0x00, 0x0b, 0x0c, 0x1f]),
      Buffer.from('end\r\n'),
    ]);
    expect(await sendRaw(address, body)).toMatch(/^250 /);
    const { msg, raw } = await stored(address, token);
    expect(sha(raw)).toBe(sha(body));
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    const c0 = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
    const texts: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(msg);
    expect(texts.filter((t) => c0.test(t))).toEqual([]);
    expect(msg.subject).toBe('nul\ufffd here and\ufffdencoded');
    expect([msg.from, msg.from_name]).toEqual(['a@example.com', 'Es\ufffdc Name']);
    expect(msg.body_text).toBe('code 482913\ttab\ufffd\ufffd\ufffd\ufffdend\r\n'.replace('\r\n', '\n'));
    expect(msg.headers.find((h: { name: string }) => h.name === 'X-Note').value).toBe('bell\ufffd');
    expect(msg.codes.map((c: { value: string }) => c.value)).toEqual(['482913']);
    const list = await s.api('GET', `/api/v1/mailboxes/${address}/messages`, { token });
    expect(list.body[0].subject).toBe(msg.subject);
  });

  it('stores a message with a 1 MB header unparsed, with parse_error set', async () => {
    const { address, token } = await s.anonymousMailbox();
    const long = 'X-Filler: ' + 'a'.repeat(76) + '\r\n';
    const body = Buffer.from(`From: a@example.com\r\nSubject: huge header\r\n${long.repeat(Math.ceil(1_048_576 / long.length))}\r\nbody\r\n`);
    expect(await sendRaw(address, body)).toMatch(/^250 /);
    const { msg, raw } = await stored(address, token);
    expect(msg.parse_error).toMatch(/header/i);
    expect(raw.length).toBe(body.length);
  });

  it('stores a message of 300,000 empty MIME parts unparsed while serving others', async () => {
    const { address, token } = await s.anonymousMailbox();
    const other = await s.anonymousMailbox();
    const parts = '--B\r\n\r\n'.repeat(300_000);
    const body = Buffer.from(`From: a@example.com\r\nSubject: many parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n${parts}--B--\r\n`);
    const big = sendRaw(address, body);
    // meanwhile, another client is served
    const health = await s.api('GET', '/health');
    expect(health.status).toBe(200);
    expect((await s.send({ to: other.address, subject: 'meanwhile', text: 'x' })).response).toMatch(/^250 /);
    expect(await big).toMatch(/^250 /);
    const { msg } = await stored(address, token);
    expect(msg.subject === 'many parts' || msg.subject === null).toBe(true);
    expect(msg.parse_error).toMatch(/part/i);
  });

  it('decodes attachments and a non-UTF-8 charset', async () => {
    const { address, token } = await s.anonymousMailbox();
    const pdf = Buffer.from('%PDF-1.4 fake pdf bytes \x00\x01\x02', 'latin1');
    await s.send({
      to: address,
      subject: 'Rechnung für Sie',
      text: 'Grüße aus Köln — Ihr Code lautet 771204.',
      textEncoding: 'quoted-printable',
      attachments: [{ filename: 'rechnung.pdf', content: pdf, contentType: 'application/pdf' }],
      headers: {},
    });
    const { msg } = await stored(address, token);
    expect(msg.subject).toBe('Rechnung für Sie');
    expect(msg.attachments).toEqual([{ index: 0, filename: 'rechnung.pdf', content_type: 'application/pdf', size: pdf.length, content_id: null }]);

    // and a message whose body is ISO-8859-1, sent byte for byte
    const latin = Buffer.concat([
      Buffer.from(`From: a@example.com\r\nTo: ${address}\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      Buffer.from('Grüße, café\r\n', 'latin1'),
    ]);
    expect(await sendRaw(address, latin)).toMatch(/^250 /);
    const second = await stored(address, token);
    expect(second.msg.subject).toBe('Grüße');
    expect(second.msg.body_text).toContain('Grüße, café');
  });

  it('is healthy after all of it', async () => {
    expect((await s.api('GET', '/health')).body).toMatchObject({ status: 'ok', db: 'ok', bus: 'ok' });
  });
});
