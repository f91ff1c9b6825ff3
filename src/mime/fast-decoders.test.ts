/**
 * The worker's body decoders give postal-mime's answers exactly: each message is parsed by the
 * stock postal-mime first, then again with the decoders installed (full bytes) and size-only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import PostalMime, { type Email } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { benchMessage } from '../../bench/messages.js';
import { DecodedSize, installFastDecoders, markSizeOnly } from './fast-decoders.js';

const dir = new URL('../../test/fixtures/mail/', import.meta.url);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const part = (type: string, encoding: string, body: string, extra = ''): string =>
  `--b\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: ${encoding}\r\n${extra}\r\n${body}\r\n`;
const mixed = (...parts: string[]): Buffer =>
  Buffer.from(`From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts.join('')}--b--\r\n`, 'utf8');

const messages: Record<string, Uint8Array> = {
  ...Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(new URL(f, dir))])),
  'bench 500 KB': benchMessage('m1', 'a@example.com', 500 * 1024),
  // '=' in the middle: postal-mime starts a new unit, Node's decoder would stop
  'padded lines': mixed(part('application/pdf', 'base64', `${b64('ab')}\r\n${b64('cde')}\r\n${b64('f')}`)),
  // '-' and '_' are URL-safe base64 to Node, noise to postal-mime
  'url-safe noise': mixed(part('image/png', 'base64', 'QU-JD_RE\r\nVG'), part('text/plain', 'base64', `${b64('hé')}-_`)),
  'junk and lone char': mixed(part('application/zip', 'base64', 'QU!JD\r\n\tRE é\r\nV'), part('application/zip', 'base64', '')),
  'text in base64': mixed(part('text/plain; charset=utf-8', 'base64', b64('héllo wörld\n'.repeat(40)).replace(/.{76}/g, '$&\r\n'))),
  'calendar': mixed(part('text/calendar; method=request', 'base64', b64('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'))),
  'seven bit attachment': mixed(part('application/octet-stream', '7bit', 'line one\r\nline two', 'Content-Disposition: attachment; filename="a.bin"\r\n')),
  // readLine drops the CRs before each LF, not the ones inside a line
  'bare CRs': mixed(part('text/plain', '7bit', 'a\rb\r\r\nc\r\r\n\r\nd\r'), part('application/x-y', '7bit', 'e\r\rf\r')),
  'quoted-printable attachment': mixed(part('application/octet-stream', 'quoted-printable', 'a=3Db=\r\nc')),
  // a base64 multipart's own body arrives in two runs (preamble, then after its inner part);
  // postal-mime never hands that body out, but the parse must come out the same
  'split body': Buffer.from(
    'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/mixed; boundary=c\r\n' +
      `Content-Transfer-Encoding: base64\r\n\r\n${b64('pre')}\r\n--c\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${b64('gif')}\r\n--c--\r\n${b64('post')}\r\n--b--\r\n`,
  ),
};

type Seen = { text?: string; html?: string; attachments: { filename: string | null; mimeType: string; size: number; hex: string | null }[] };

function summary(email: Email, withBytes: boolean): Seen {
  return {
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => ({
      filename: a.filename,
      mimeType: a.mimeType,
      size: typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.byteLength,
      hex: withBytes && typeof a.content !== 'string' ? Buffer.from(new Uint8Array(a.content)).toString('hex') : null,
    })),
  };
}

describe('installFastDecoders', async () => {
  // the stock answers, before anything is installed
  const stock = new Map<string, Email>();
  for (const [name, raw] of Object.entries(messages)) stock.set(name, await PostalMime.parse(raw));
  installFastDecoders();

  it.each(Object.keys(messages))('decodes %s to the same bytes', async (name) => {
    const email = await PostalMime.parse(messages[name]!);
    expect(summary(email, true)).toEqual(summary(stock.get(name)!, true));
  });

  it.each(Object.keys(messages))('counts %s to the same sizes', async (name) => {
    const parser = new PostalMime();
    markSizeOnly(parser);
    const email = await parser.parse(messages[name]!);
    expect(summary(email, false)).toEqual(summary(stock.get(name)!, false));
  });

  it('counts rather than decodes an attachment, and decodes text', async () => {
    const parser = new PostalMime();
    markSizeOnly(parser);
    const email = await parser.parse(messages['bench 500 KB']!);
    expect(email.attachments[0]!.content).toBeInstanceOf(DecodedSize);
    expect(email.text).toContain('Your verification code is');
  });
});
