/**
 * The messages the ingest benches send, by size, shaped like the mail users actually receive:
 * up to 10 KB a plain-text notice with a code; up to 200 KB a multipart/alternative with a
 * table-layout HTML template (styles, a hidden preheader, links, a code) and its text part;
 * beyond that the same plus a base64 PDF-like attachment making up the size. Each is unique by
 * `id` (Subject and X-Load-Id), CRLF throughout.
 */
import { makeMessage } from '../test/support/smtp-load.js';

const PARAGRAPH =
  'Thanks for signing up. We review every account within a day; meanwhile you can explore the dashboard, invite your team and connect your first integration.';

function htmlTemplate(id: string, code: string, bytes: number): string {
  const head =
    '<!doctype html><html><head><meta charset="utf-8"><title>Welcome</title><style>body{margin:0;background:#f4f4f7}' +
    '.btn{background:#3869d4;color:#fff;border-radius:3px}.footer td{color:#a8aaaf;font-size:12px}</style></head>' +
    '<body style="margin:0;padding:0;background-color:#f4f4f7">' +
    '<span style="display:none;max-height:0;overflow:hidden">Your code is inside. Preheader text.</span>' +
    '<table class="wrapper" width="100%" cellpadding="0" cellspacing="0" role="presentation"><tr><td align="center">' +
    `<table class="content" width="570" cellpadding="0" cellspacing="0"><tr><td><h1>Hi there, ${id}</h1>` +
    `<p>Your verification code is <strong style="font-size:24px;letter-spacing:4px">${code}</strong>.</p>` +
    '<p><a class="btn" href="https://app.example.com/verify?token=abc123&amp;u=42" target="_blank">Verify your email</a></p>';
  const row = (i: number) =>
    `<tr><td style="padding:8px;border-bottom:1px solid #eaeaec">Item ${i}</td><td style="padding:8px">${PARAGRAPH}</td>` +
    `<td align="right"><a href="https://app.example.com/items/${i}?utm_source=mail&amp;utm_medium=email">View</a></td></tr>`;
  const tail =
    '</td></tr></table><table class="footer" width="570"><tr><td>© 2026 App Inc. 1 Main St. · ' +
    '<a href="https://app.example.com/unsubscribe?u=42">Unsubscribe</a></td></tr></table></td></tr></table>' +
    '<img src="https://track.example.com/open.gif?u=42" width="1" height="1" alt=""></body></html>';
  let rows = '<table width="100%">';
  for (let i = 0; head.length + rows.length + tail.length < bytes; i++) rows += row(i);
  return `${head}${rows}</table>${tail}`;
}

function base64Lines(bytes: number, seed: number): string {
  const raw = Buffer.alloc(Math.floor((bytes * 3) / 4));
  let x = seed | 1;
  for (let i = 0; i < raw.length; i++) {
    // xorshift: incompressible, like a real PDF
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    raw[i] = x & 0xff;
  }
  return raw.toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** a message of about `size` bytes for `to`, shaped by size (see the file comment). */
export function benchMessage(id: string, to: string, size: number): Buffer {
  if (size <= 10 * 1024) return makeMessage(id, to, size);
  const code = String(100000 + (Number.parseInt(id.replace(/\D/g, '').slice(-6) || '0', 10) % 900000));
  const withAttachment = size > 200 * 1024;
  const bodyBudget = withAttachment ? 50 * 1024 : size;
  const html = htmlTemplate(id, code, bodyBudget - 1500);
  const text = `Hi there, ${id}\r\n\r\nYour verification code is ${code}.\r\n\r\nVerify your email: https://app.example.com/verify?token=abc123&u=42\r\n\r\n${PARAGRAPH}\r\n`;
  const alt =
    'Content-Type: multipart/alternative; boundary="alt-b"\r\n\r\n' +
    `--alt-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n` +
    `--alt-b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}\r\n--alt-b--\r\n`;
  const head =
    `From: App <noreply@app.example.com>\r\nTo: ${to}\r\nSubject: load ${id}\r\nX-Load-Id: ${id}\r\n` +
    `Message-ID: <${id}@load.example>\r\nDate: Mon, 30 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  if (!withAttachment) return Buffer.from(head + alt, 'utf8');
  const pdf = base64Lines(Math.max(1024, Math.floor(((size - head.length - alt.length - 400) * 76) / 78)), id.length * 7919 + size);
  return Buffer.from(
    head +
      'Content-Type: multipart/mixed; boundary="mix-b"\r\n\r\n' +
      `--mix-b\r\n${alt}\r\n` +
      `--mix-b\r\nContent-Type: application/pdf; name="invoice.pdf"\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--mix-b--\r\n`,
    'utf8',
  );
}
