/**
 * Integration tests for MIME parsing through the real worker pool (piscina threads running
 * src/mime/parse-worker.ts under tsx): envelopes, bodies, attachments, charsets, broken input and
 * the failure paths that must still yield content (timeout, memory), plus attachment re-reading.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAttachment } from '../../src/mime/attachments.js';
import { createParserPool, emptyContent, type MessageParser } from '../../src/mime/pool.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

let parser: MessageParser;

beforeAll(() => {
  parser = createParserPool({ workers: 2, timeoutMs: 10_000, memoryMb: 128 });
});

afterAll(async () => {
  await parser.close();
});

describe('parser pool', () => {
  it('parses a plain-text message: envelope, headers in order, codes and links', async () => {
    const c = await parser.parse(fixture('plain-text.eml'));
    expect(c.parseError).toBeNull();
    expect(c.from).toEqual({ address: 'noreply@service.example', name: 'Example Service' });
    expect(c.to).toEqual([{ address: 'alice@inboxd.test', name: 'Alice' }]);
    expect(c.cc).toEqual([{ address: 'bob@inboxd.test', name: '' }]);
    expect(c.subject).toBe('Your sign-in code');
    expect(c.messageIdHeader).toBe('<plain-1@service.example>');
    expect(c.date).toBe('2025-11-25T10:00:00.000Z');
    expect(c.headers.map((h) => h.name)).toEqual([
      'Return-Path', 'From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type',
      'Content-Transfer-Encoding', 'X-Mixed-Case-Header',
    ]);
    expect(c.headers.at(-1)).toEqual({ name: 'X-Mixed-Case-Header', value: 'kept as written' });
    expect(c.bodyText).toContain('Your verification code is 482913.');
    expect(c.bodyHtml).toBeNull();
    expect(c.attachments).toEqual([]);
    // the phone number and the year are not codes
    expect(c.codes.map((x) => x.value)).toEqual(['482913']);
    expect(c.codes[0]).toMatchObject({ source: 'text' });
    expect(c.links).toEqual([{ url: 'https://service.example/magic?token=abc123&u=alice', text: null, source: 'text' }]);
  });

  it('parses multipart/alternative with an attachment: metadata only, bytes on request', async () => {
    const raw = fixture('multipart-attachment.eml');
    const c = await parser.parse(raw);
    expect(c.parseError).toBeNull();
    expect(c.bodyText).toContain('Please find your invoice attached.');
    expect(c.bodyHtml).toContain('<b>invoice</b>');
    expect(c.attachments).toEqual([
      { index: 0, filename: 'invoice-7.pdf', contentType: 'application/pdf', size: 64, contentId: null, inline: false },
    ]);
    expect(c.links).toEqual([
      { url: 'https://shop.example/prefs', text: null, source: 'text' },
      { url: 'https://shop.example/prefs', text: 'Manage preferences', source: 'html' },
    ]);

    const att = await extractAttachment(raw, 0);
    expect(att?.filename).toBe('invoice-7.pdf');
    expect(att?.contentType).toBe('application/pdf');
    expect(att?.content.byteLength).toBe(64);
    expect(Buffer.from(att!.content).toString('latin1')).toMatch(/^%PDF-1\.4\n/);
    expect(await extractAttachment(raw, 1)).toBeNull();
    expect(await extractAttachment(raw, -1)).toBeNull();
  });

  it('reports an inline image by content id, and derives text from an HTML-only body', async () => {
    const raw = fixture('inline-image-cid.eml');
    const c = await parser.parse(raw);
    expect(c.parseError).toBeNull();
    expect(c.attachments).toEqual([
      { index: 0, filename: 'logo.png', contentType: 'image/png', size: 70, contentId: 'logo-1@brand.example', inline: true },
    ]);
    expect(c.bodyHtml).toContain('cid:logo-1@brand.example');
    expect(c.bodyText).toBe('Welcome!');
    // an <img src> is not a link
    expect(c.links).toEqual([]);
    const att = await extractAttachment(raw, 0);
    expect(Buffer.from(att!.content).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  });

  it('reads codes and the magic link from an HTML-only template, ignoring hidden text and the pixel', async () => {
    const c = await parser.parse(fixture('html-magic-link.eml'));
    expect(c.parseError).toBeNull();
    expect(c.codes.map((x) => [x.value, x.source])).toEqual([['Q7K2ZP', 'html']]);
    expect(c.bodyText).not.toContain('Preheader');
    expect(c.links).toEqual([
      { url: 'https://acme.example/auth/magic?t=xyz&redirect=%2Fhome', text: 'Sign in to Acme', source: 'html' },
      { url: 'https://acme.example/unsubscribe?u=1', text: 'Unsubscribe', source: 'html' },
    ]);
  });

  it('decodes ISO-8859-1 and windows-1252 bodies and encoded-word subjects', async () => {
    const latin1 = Buffer.concat([
      crlf('Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n'),
      Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0x61, 0x75, 0x73, 0x20, 0x4b, 0xf6, 0x6c, 0x6e, 0x0d, 0x0a]), // "Grüße aus Köln"
    ]);
    const a = await parser.parse(latin1);
    expect(a.parseError).toBeNull();
    expect(a.subject).toBe('Grüße aus Köln');
    expect(a.bodyText?.trim()).toBe('Grüße aus Köln');

    const cp1252 = Buffer.concat([
      crlf('Subject: price\nContent-Type: text/plain; charset=windows-1252\n\n'),
      Buffer.from([0x93, 0x80, 0x35, 0x94, 0x0d, 0x0a]), // “€5”
    ]);
    const b = await parser.parse(cp1252);
    expect(b.bodyText?.trim()).toBe('\u201c\u20ac5\u201d');
  });

  it('decodes Shift_JIS bodies and ISO-2022-JP subjects', async () => {
    const nihongo2022 = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x38, 0x6c, 0x1b, 0x28, 0x42]);
    const sjis = Buffer.concat([
      crlf(`Subject: =?ISO-2022-JP?B?${nihongo2022.toString('base64')}?=\nContent-Type: text/plain; charset=Shift_JIS\n\n`),
      Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x0d, 0x0a]), // 日本語
    ]);
    const c = await parser.parse(sjis);
    expect(c.parseError).toBeNull();
    expect(c.subject).toBe('日本語');
    expect(c.bodyText?.trim()).toBe('日本語');

    const iso2022 = Buffer.concat([crlf('Content-Type: text/plain; charset=iso-2022-jp\n\n'), nihongo2022, crlf('\n')]);
    expect((await parser.parse(iso2022)).bodyText?.trim()).toBe('日本語');
  });

  it('reads a message with no headers at all as body', async () => {
    const c = await parser.parse(Buffer.from('Hello, there are no headers here.\r\nYour code is 551904.\r\n'));
    expect(c.parseError).toBeNull();
    expect(c.headers).toEqual([]);
    expect(c.subject).toBeNull();
    expect(c.bodyText).toContain('Hello, there are no headers here.');
    expect(c.codes.map((x) => x.value)).toEqual(['551904']);

    const empty = await parser.parse(Buffer.alloc(0));
    expect(empty.parseError).toBeNull();
    expect(empty.bodyText).toBeNull();
  });

  it('survives NUL bytes, raw 8-bit bytes and bare LF line endings', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@b.example\nSubject: caf\xc3\xa9 \xff\xfe\n\nline one\0with NUL\n\xff\xfe\xfd binary-ish\nend\n', 'latin1'),
      Buffer.from([0, 0, 0, 0x80, 0x81, 0x0a]),
    ]);
    const c = await parser.parse(raw);
    expect(c.parseError).toBeNull();
    expect(c.from?.address).toBe('a@b.example');
    expect(c.subject).toContain('caf');
    expect(c.bodyText).toContain('line one');
    expect(c.bodyText).toContain('end');
  });

  it('parses malformed MIME (an unterminated boundary) without an error', async () => {
    const c = await parser.parse(fixture('malformed-unterminated-boundary.eml'));
    expect(c.parseError).toBeNull();
    expect(c.subject).toBe('Unterminated multipart');
    expect(c.bodyText).toContain('The first and only part');
    expect(c.codes.map((x) => x.value)).toEqual(['730155']);
    expect(c.attachments.map((a) => a.filename)).toEqual(['cut.bin']);
  });

  it('refuses a message over the MIME caps but keeps its top-level headers', async () => {
    const raw = crlf(`From: flood@x.example\nSubject: many parts\nContent-Type: multipart/mixed; boundary="b"\n\n${'--b\n\n'.repeat(300_000)}--b--\n`);
    const c = await parser.parse(raw);
    expect(c.parseError).toBe('message has more than 1000 MIME parts');
    expect(c.subject).toBe('many parts');
    expect(c.from?.address).toBe('flood@x.example');
    expect(c.bodyText).toBeNull();
    expect(c.attachments).toEqual([]);
  });

  it('runs parses concurrently and answers each one', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => parser.parse(crlf(`Subject: n${i}\n\nbody ${i}\n`))),
    );
    expect(results.map((r) => r.subject)).toEqual(Array.from({ length: 8 }, (_, i) => `n${i}`));
  });
});

describe('parser pool failure paths', () => {
  // ~12 MB of base64 attachment: far more than 1 ms of work
  const big = (): Buffer => {
    const line = `${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3'.repeat(2)}\r\n`;
    return Buffer.concat([
      crlf('Subject: big\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nhi\n--z\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'),
      Buffer.from(line.repeat(150_000)),
      crlf('--z--\n'),
    ]);
  };

  it('resolves with parseError when a parse times out', async () => {
    const pool = createParserPool({ workers: 1, timeoutMs: 1, memoryMb: 128 });
    try {
      const c = await pool.parse(big());
      expect(c).toEqual(emptyContent('parse timed out after 1 ms'));
    } finally {
      await pool.close();
    }
  });

  it('resolves with parseError when a worker runs out of memory, then replaces the worker', async () => {
    // 32 MB: enough for a worker to start (under tsx, 8 MB sometimes is not), far too little for
    // a 40 MB text body that is decoded into JS strings several times over
    const pool = createParserPool({ workers: 1, timeoutMs: 20_000, memoryMb: 32 });
    try {
      const body = Buffer.alloc(40 * 1024 * 1024, 'word code 123456 https://x.example/a\n');
      const c = await pool.parse(Buffer.concat([crlf('Subject: huge\nContent-Type: text/plain\n\n'), body]));
      expect(c).toEqual(emptyContent('parser ran out of memory'));
      const after = await pool.parse(crlf('Subject: still alive\n\nok\n'));
      expect(after.subject).toBe('still alive');
    } finally {
      await pool.close();
    }
  });

  it('parses small messages queued behind a busy worker as one batch, each with its own answer', async () => {
    const pool = createParserPool({ workers: 1, timeoutMs: 20_000, memoryMb: 128 });
    try {
      const busy = pool.parse(big()); // holds the only worker while the small ones queue
      const small = Array.from({ length: 40 }, (_, i) => pool.parse(crlf(`Subject: q${i}\n\nyour code is ${100000 + i}\n`)));
      const results = await Promise.all(small);
      expect(results.map((r) => r.subject)).toEqual(Array.from({ length: 40 }, (_, i) => `q${i}`));
      expect(results.map((r) => r.codes[0]?.value)).toEqual(Array.from({ length: 40 }, (_, i) => String(100000 + i)));
      expect((await busy).subject).toBe('big');
    } finally {
      await pool.close();
    }
  });

  it('a large message is never batched: when it kills its worker, the small ones queued with it still parse', async () => {
    // 40 MB of text cannot fit a 32 MB heap, so the huge one fails whatever the deadline; the
    // deadline is generous because the first task also waits for the worker to start, which from
    // source (tsx) on a loaded CI machine took over 2 s
    const pool = createParserPool({ workers: 1, timeoutMs: 15_000, memoryMb: 32 });
    try {
      const busy = pool.parse(crlf('Subject: first\n\nx\n'));
      const huge = Buffer.concat([crlf('Subject: huge\nContent-Type: text/plain\n\n'), Buffer.alloc(40 * 1024 * 1024, 'word code 123456\n')]);
      // queued together behind `busy`: the huge one goes alone (too big to batch), the small ones batch
      const [a, h, b] = await Promise.all([pool.parse(crlf('Subject: before\n\nx\n')), pool.parse(huge), pool.parse(crlf('Subject: after\n\nx\n'))]);
      expect((await busy).subject).toBe('first');
      expect([a.subject, b.subject]).toEqual(['before', 'after']);
      expect(h.parseError).not.toBeNull();
    } finally {
      await pool.close();
    }
  });

  it('keeps the workers a burst started while mail keeps coming (no thread start per message)', async () => {
    // piscina's default ends every thread above minThreads the moment it is idle; on two cores that
    // made ingest start and end a worker between messages and run at a fifth of its one-core rate
    const pool = createParserPool({ workers: 2, timeoutMs: 15_000, memoryMb: 64 });
    try {
      // past the batching size, so each message is its own task and the second worker is needed
      const burst = () => Promise.all(Array.from({ length: 4 }, (_, i) => pool.parse(crlf(`Subject: burst ${i}\n\n${'word '.repeat(20_000)}\n`))));
      await burst();
      expect(pool.threads()).toBe(2);
      // an idle gap between messages, longer than any timer piscina's default would have used
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pool.threads()).toBe(2);
      expect((await burst()).map((c) => c.subject)).toEqual(['burst 0', 'burst 1', 'burst 2', 'burst 3']);
    } finally {
      await pool.close();
    }
  });

  it('answers after close instead of hanging or rejecting', async () => {
    const pool = createParserPool({ workers: 1, timeoutMs: 5_000, memoryMb: 64 });
    await pool.close();
    expect((await pool.parse(crlf('Subject: late\n\nx\n'))).parseError).toBe('parser is shut down');
  });
});
