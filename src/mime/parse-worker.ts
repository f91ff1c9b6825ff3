/**
 * The piscina worker that turns raw message bytes into `MessageContent` (DESIGN "Delivery rules"
 * 4 and 7). It runs in a worker thread with its own heap limit and a deadline enforced by the
 * pool, so a hostile message can only take this thread down, never the event loop. It never
 * throws for a bad message: anything it cannot read comes back as `parseError`, because the
 * message is stored either way.
 */
import PostalMime, { type Address, type Email } from 'postal-mime';
import { extractAll, extractCodes } from '../core/extract/index.js';
import type { AddressValue, AttachmentMeta, MessageContent } from '../core/types.js';
import { checkMimeLimits, DEFAULT_MIME_LIMITS, PARSER_OPTIONS, topLevelHeaderBytes, withHeaderBlock } from './limits.js';
import { installByteBlob } from './byte-blob.js';
import { installFastDecoders, markSizeOnly } from './fast-decoders.js';
import { cleanContent } from './clean-text.js';
import { emptyContent } from './empty.js';
import { type AttachmentContent, extractAttachment } from './attachments.js';

// WHATWG windows-1252 for bytes 0x80–0x9F (the rest of the table is Latin-1).
const CP1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Node 20.18.3+ and 22.13+ decode `windows-1252` — which is also what the WHATWG labels
 * `iso-8859-1`, `latin1` and `us-ascii` mean — through a Latin-1 fast path, so 0x80–0x9F come
 * out as C1 controls instead of €, smart quotes and dashes (nodejs/node#60888, fixed upstream in
 * nodejs/node#60934). postal-mime decodes with the global TextDecoder, so in this worker thread
 * only, that class is replaced by one that maps those code points back. Single-byte decoding maps
 * each byte to one code unit, so fixing up the output is exact, streaming included. Installed
 * only when the running Node is affected.
 */
function repairWindows1252Decoding(): void {
  const Native = globalThis.TextDecoder;
  if (new Native('windows-1252').decode(Uint8Array.of(0x80)) === '\u20ac') return;
  const c1 = /[\u0080-\u009f]/g;
  const map = (ch: string): string => String.fromCharCode(CP1252_C1[ch.charCodeAt(0) - 0x80]!);
  class RepairedTextDecoder extends Native {
    override decode(input?: Parameters<InstanceType<typeof Native>['decode']>[0], options?: { stream?: boolean }): string {
      const out = super.decode(input, options);
      return this.encoding === 'windows-1252' ? out.replace(c1, map) : out;
    }
  }
  globalThis.TextDecoder = RepairedTextDecoder;
}

repairWindows1252Decoding();
installByteBlob();
installFastDecoders();

/** the task piscina hands to the worker: one message, or a batch of small ones (see pool.ts). */
export type ParseTask = { raw: Uint8Array } | { raws: Uint8Array[] };

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** flattens groups (RFC 5322 §3.4 `name: a, b;`) into their members, trimmed. */
function flattenAddresses(list: Address[] | undefined): AddressValue[] {
  const out: AddressValue[] = [];
  for (const item of list ?? []) {
    if (item.group) {
      for (const member of item.group) out.push({ address: member.address.trim(), name: member.name.trim() });
    } else {
      out.push({ address: item.address.trim(), name: item.name.trim() });
    }
  }
  return out;
}

function stripAngles(id: string | undefined): string | null {
  if (!id) return null;
  const trimmed = id.trim().replace(/^<(.*)>$/s, '$1').trim();
  return trimmed || null;
}

/** maps postal-mime's result (envelope fields only, no bodies) onto our content shape. */
function headerFields(email: Email): Omit<MessageContent, 'bodyText' | 'bodyHtml' | 'attachments' | 'codes' | 'links' | 'parseError'> {
  return {
    from: flattenAddresses(email.from ? [email.from] : undefined)[0] ?? null,
    to: flattenAddresses(email.to),
    cc: flattenAddresses(email.cc),
    subject: email.subject ?? null,
    messageIdHeader: email.messageId?.trim() || null,
    date: email.date ?? null,
    // raw values (unfolded, encoded-words left as sent): this is the "show headers" view
    headers: email.headers.map((h) => ({ name: h.originalKey || h.key, value: h.value })),
  };
}

function attachmentMeta(email: Email): AttachmentMeta[] {
  return email.attachments.map((a, index) => ({
    index,
    filename: a.filename,
    contentType: (a.mimeType || 'application/octet-stream').toLowerCase(),
    size: typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.byteLength,
    contentId: stripAngles(a.contentId),
    inline: a.disposition === 'inline' || a.related === true,
  }));
}

function asParserInput(raw: Uint8Array): ArrayBuffer | Uint8Array {
  // a view over a whole buffer (what the pool transfers or shares) can be handed over without
  // the copy postal-mime makes of a view; it only reads the bytes
  if (raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength) return raw.buffer as ArrayBuffer;
  return raw;
}

/**
 * Best effort for a message refused by the pre-parse caps: parse just its top-level header block
 * (at most 256 KB, so cheap) to keep sender, recipients and subject visible.
 */
async function headersOnly(raw: Uint8Array, parseError: string): Promise<MessageContent> {
  const headerBytes = topLevelHeaderBytes(raw, DEFAULT_MIME_LIMITS.maxHeaderBytes);
  if (headerBytes === 0 || headerBytes > DEFAULT_MIME_LIMITS.maxHeaderBytes) return emptyContent(parseError);
  try {
    const email = await PostalMime.parse(raw.slice(0, headerBytes), PARSER_OPTIONS);
    const fields = headerFields(email);
    return {
      ...emptyContent(parseError),
      ...fields,
      codes: extractCodes({ subject: fields.subject, text: null, htmlText: null }),
    };
  } catch {
    return emptyContent(parseError);
  }
}

/**
 * Parses one raw message, or each message of a batch in turn (one answer per message, in
 * order). The default export is what piscina runs; it is also safe to call in-process (tests
 * do). Never rejects for a bad message: failures come back as `parseError`. Every text field
 * comes back without C0 controls (clean-text.ts).
 */
export default async function parse(input: ParseTask): Promise<MessageContent | MessageContent[]> {
  if ('raws' in input) {
    const out: MessageContent[] = [];
    for (const raw of input.raws) out.push(cleanContent(await parseOne(raw)));
    return out;
  }
  return cleanContent(await parseOne(input.raw));
}

async function parseOne(input: Uint8Array): Promise<MessageContent> {
  // a message with no header block at all gets an empty one, so its text is read as the body
  const raw = withHeaderBlock(input);
  const refused = checkMimeLimits(raw);
  if (refused) return headersOnly(raw, refused);

  let email: Email;
  let parser: PostalMime;
  try {
    parser = new PostalMime(PARSER_OPTIONS);
    // only attachment sizes are kept (attachmentMeta): count those bodies instead of decoding
    markSizeOnly(parser);
    email = await parser.parse(asParserInput(raw));
  } catch (err) {
    return emptyContent(errorMessage(err));
  }

  try {
    // postal-mime fills in whichever body is missing by converting the other one (an HTML body
    // made from text, a text body made from HTML). We want bodyHtml only when the sender wrote
    // HTML, and a text rendering of our own (which drops hidden preheaders), so ask which kinds
    // of text part it actually saw. `textTypes` is internal; if it ever disappears, fall back to
    // trusting both fields.
    const seen = (parser as unknown as { textTypes?: unknown }).textTypes;
    const kinds = seen instanceof Set ? (seen as Set<string>) : null;
    const hasPlain = kinds ? kinds.has('plain') : Boolean(email.text);
    const hasHtml = kinds ? kinds.has('html') : Boolean(email.html);

    const bodyHtml = hasHtml && email.html ? email.html : null;
    const sentText = hasPlain && email.text ? email.text : null;
    const fields = headerFields(email);
    // one walk of the HTML gives its text rendering, its links and the text codes are read from;
    // the rendering is read as 'html', only a text part the sender wrote is 'text'
    const extracted = extractAll({ subject: fields.subject, text: sentText, html: bodyHtml });

    return {
      ...fields,
      bodyText: sentText ?? extracted.htmlText,
      bodyHtml,
      attachments: attachmentMeta(email),
      codes: extracted.codes,
      links: extracted.links,
      parseError: null,
    };
  } catch (err) {
    return emptyContent(errorMessage(err));
  }
}

/**
 * One attachment's bytes, read back from a stored raw message (GET …/attachments/{n}). It runs
 * here, not on the event loop, for the same reason parsing does: a 25 MB message takes time.
 */
export async function attachment(input: { raw: Uint8Array; index: number }): Promise<AttachmentContent | null> {
  return extractAttachment(input.raw, input.index);
}
