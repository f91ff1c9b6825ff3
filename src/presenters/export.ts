/**
 * The two export formats, written as streams so an export holds one message at a time:
 * - mbox (mboxrd, RFC 4155): a `From <sender> <asctime>` line before each message, LF line ends,
 *   and every line that starts with `>*From ` gets one more `>` so readers can undo it exactly;
 * - zip: one `<address>/<seq>-<id>.eml` per message, byte-exact, stored without compression
 *   (compressing on the event loop would stall every other request; the artifact store and
 *   transports compress anyway). The zip container itself is fflate's.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipPassThrough } from 'fflate';
import type { ExportedMessage } from '../core/export.js';

export type ExportFormat = 'mbox' | 'zip';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = { mbox: 'application/mbox', zip: 'application/zip' };

export function exportStream(format: ExportFormat, messages: AsyncIterable<ExportedMessage>): Readable {
  return format === 'zip' ? zipStream(messages) : mboxStream(messages);
}

function mboxStream(messages: AsyncIterable<ExportedMessage>): Readable {
  const out = new PassThrough();
  pump(out, messages, (m) => {
    out.write(`From ${mboxSender(m)} ${asctime(m.summary.receivedAt)}\n`);
    out.write(mboxBody(m.raw));
  }).then(() => out.end(), (err: Error) => out.destroy(err));
  return out;
}

function zipStream(messages: AsyncIterable<ExportedMessage>): Readable {
  const out = new PassThrough();
  const zip = new Zip((err, chunk, final) => {
    if (err) return void out.destroy(err);
    out.write(chunk);
    if (final) out.end();
  });
  pump(out, messages, (m) => {
    const file = new ZipPassThrough(`${safeName(m.address)}/${String(m.summary.seq).padStart(6, '0')}-${m.summary.id}.eml`);
    file.mtime = m.summary.receivedAt;
    zip.add(file);
    file.push(new Uint8Array(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength), true);
  }).then(() => zip.end(), (err: Error) => out.destroy(err));
  return out;
}

/** writes each message, waiting for the reader when the buffer is full; stops when the reader left. */
async function pump(out: PassThrough, messages: AsyncIterable<ExportedMessage>, write: (m: ExportedMessage) => void): Promise<void> {
  for await (const m of messages) {
    if (out.destroyed) return;
    write(m);
    if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  }
}

/** the envelope sender is not kept per message in a summary: the From header's address stands in. */
function mboxSender(m: ExportedMessage): string {
  const address = m.summary.from?.address ?? '';
  return address && !/\s/.test(address) ? address : 'MAILER-DAEMON';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's asctime() in UTC, as the From_ line wants: `Mon Nov 30 20:16:24 2026`. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * one message as mboxrd stores it: LF line ends, `>` before every `>*From ` line, ending in a blank
 * line. latin1 maps bytes to characters one to one, so no byte is changed by the round trip.
 */
export function mboxBody(raw: Buffer): Buffer {
  let text = raw.toString('latin1').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
  if (!text.endsWith('\n')) text += '\n';
  return Buffer.from(text + '\n', 'latin1');
}

/** a folder name for an address: what a zip tool on any system accepts. */
function safeName(address: string): string {
  return address.replace(/[^A-Za-z0-9@._+-]/g, '_');
}
