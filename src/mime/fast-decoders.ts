/**
 * Faster body decoders for postal-mime, installed in the parser worker thread only (as the Blob
 * and TextDecoder replacements are). postal-mime's base64 decoder works line by line: a
 * TextDecoder call, a regex replace, a split and string concatenation per 76-character line, then
 * a JavaScript decode and a Blob of the chunks. On a 500 KB message with a PDF attached that was
 * two thirds of the parse, and a 20 MB attachment held its decoded chunks and their
 * concatenation (2 × 15 MB) in the worker, while ingest only ever needs an attachment's size.
 *
 * Three changes, each giving exactly the bytes (or byte count) postal-mime's decoder gives:
 * - {@link FastBase64Decoder}: a base64 body is almost always one contiguous run of lines in the
 *   parser's input buffer. The decoder just remembers where that run is and decodes it once with
 *   Node's native decoder. Node agrees with postal-mime on everything but '-' and '_' (Node's
 *   URL-safe alphabet; postal-mime drops them) and data after a '=' (Node stops; postal-mime
 *   starts a new unit), so a body with either, or whose lines are not contiguous, is handed to
 *   postal-mime's own decoder instead.
 * - Size-only parsing ({@link markSizeOnly}): for a parser so marked (the ingest parse, not the
 *   attachment reader), a part whose decoded body is only ever used as attachment bytes — not
 *   text, not a message, not a calendar — is counted instead of decoded. Its `content` is then a
 *   {@link DecodedSize}, which carries only `byteLength`.
 * - {@link PassThroughDecoder}: 7bit/8bit/binary bodies are copied into one buffer directly.
 * And postal-mime's line splitter finds line ends with a native search ({@link readLine}).
 *
 * postal-mime does not export its MimeNode class, so the hook is installed on the prototype of a
 * parser's root node; its decoders only need `update(line)` and `finalize()`.
 */
import PostalMime from 'postal-mime';

/** what postal-mime asks of a body decoder. */
interface ContentDecoder {
  update(line: Uint8Array): void;
  finalize(): Promise<ArrayBuffer | DecodedSize>;
}

/** the parts of postal-mime's MimeNode this module reads or replaces. */
interface MimeNodeLike {
  postalMime: object;
  contentType: { parsed: { value: string }; multipart: string | false };
  contentDecoder: ContentDecoder | null;
  setupContentDecoder(transferEncoding: string): void;
}

/** the content of a part that was counted, not decoded: its decoded size, and nothing else. */
export class DecodedSize {
  constructor(readonly byteLength: number) {}
}

const sizeOnlyParsers = new WeakSet<object>();

/** makes `parser` count, rather than decode, parts that can only become attachments. */
export function markSizeOnly(parser: PostalMime): void {
  sizeOnlyParsers.add(parser);
}

const LF = 0x0a;
const CR = 0x0d;
const EQUALS = 0x3d;

// 1 for each character of the base64 alphabet (postal-mime keeps these and '=', drops the rest)
const ALPHABET = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

/** bytes that `n` base64 characters decode to in postal-mime (a lone trailing one decodes to none). */
function unitBytes(n: number): number {
  const r = n % 4;
  return ((n - r) / 4) * 3 + (r > 1 ? r - 1 : 0);
}

/**
 * Counts what postal-mime's Base64Decoder would produce: every run of '=' ends a unit, each unit
 * decodes on its own, and any byte outside the alphabet is ignored.
 */
class Base64SizeCounter implements ContentDecoder {
  private size = 0;
  private unit = 0;

  update(line: Uint8Array): void {
    const n = line.length;
    // a line of nothing but the alphabet (nearly all of them) is one branch-free pass
    let outside = 0;
    for (let i = 0; i < n; i++) outside |= ALPHABET[line[i]!]! ^ 1;
    if (outside === 0) {
      this.unit += n;
      return;
    }
    let unit = this.unit;
    for (let i = 0; i < n; i++) {
      const c = line[i]!;
      if (ALPHABET[c] === 1) unit++;
      else if (c === EQUALS) {
        this.size += unitBytes(unit);
        unit = 0;
      }
    }
    this.unit = unit;
  }

  finalize(): Promise<DecodedSize> {
    return Promise.resolve(new DecodedSize(this.size + unitBytes(this.unit)));
  }
}

/** counts what postal-mime's PassThroughDecoder would produce: each line and a newline. */
class PassThroughSizeCounter implements ContentDecoder {
  private size = 0;

  update(line: Uint8Array): void {
    this.size += line.length + 1;
  }

  finalize(): Promise<DecodedSize> {
    return Promise.resolve(new DecodedSize(this.size));
  }
}

/**
 * What postal-mime's PassThroughDecoder produces (each line, then a newline), written straight
 * into one buffer. The stock decoder hands a Blob one chunk per line and a '\n' string after
 * each, which the worker's Blob then encodes one by one: most of the cost of a small text body.
 */
class PassThroughDecoder implements ContentDecoder {
  private lines: Uint8Array[] = [];
  private size = 0;

  update(line: Uint8Array): void {
    this.lines.push(line);
    this.size += line.length + 1;
  }

  finalize(): Promise<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const line of this.lines) {
      out.set(line, at);
      at += line.length;
      out[at++] = LF;
    }
    this.lines = [];
    return Promise.resolve(out.buffer);
  }
}

/**
 * Decodes a base64 body that is one contiguous run of the input with Node's native decoder (see
 * the file comment); anything else goes to postal-mime's decoder, given the run seen so far.
 */
class FastBase64Decoder implements ContentDecoder {
  private buffer: ArrayBufferLike | null = null;
  private start = 0;
  private end = 0;
  private slow: ContentDecoder | null = null;

  constructor(private readonly makeSlow: () => ContentDecoder) {}

  update(line: Uint8Array): void {
    if (this.slow) return this.slow.update(line);
    if (!this.buffer) {
      this.buffer = line.buffer;
      this.start = line.byteOffset;
      this.end = line.byteOffset + line.length;
      return;
    }
    if (line.buffer === this.buffer && onlyLineBreaks(this.buffer, this.end, line.byteOffset)) {
      this.end = line.byteOffset + line.length;
      return;
    }
    this.goSlow().update(line);
  }

  finalize(): Promise<ArrayBuffer | DecodedSize> {
    if (this.slow) return this.slow.finalize();
    if (!this.buffer) return Promise.resolve(new ArrayBuffer(0));
    const run = Buffer.from(this.buffer, this.start, this.end - this.start);
    if (!nativeAgrees(run)) return this.goSlow().finalize();
    const decoded = Buffer.from(run.toString('latin1'), 'base64');
    // a small result is a view into Node's shared pool: give postal-mime a buffer of its own
    if (decoded.byteOffset === 0 && decoded.buffer.byteLength === decoded.byteLength) return Promise.resolve(decoded.buffer);
    return Promise.resolve(new Uint8Array(decoded).buffer);
  }

  private goSlow(): ContentDecoder {
    const slow = this.makeSlow();
    // the lines seen so far are one run, and postal-mime's decoder reads a run of lines fed as
    // one exactly as it reads them one by one (line breaks are dropped either way)
    if (this.buffer) slow.update(new Uint8Array(this.buffer, this.start, this.end - this.start));
    this.slow = slow;
    return slow;
  }
}

/** true when every byte of `buffer` in [from, to) is CR or LF, so two lines are adjacent. */
function onlyLineBreaks(buffer: ArrayBufferLike, from: number, to: number): boolean {
  if (to < from) return false;
  const view = new Uint8Array(buffer, from, to - from);
  for (let i = 0; i < view.length; i++) if (view[i] !== CR && view[i] !== LF) return false;
  return true;
}

/** whether Node's base64 decoder reads `run` as postal-mime's does (see the file comment). */
function nativeAgrees(run: Buffer): boolean {
  if (run.indexOf(0x2d) >= 0 || run.indexOf(0x5f) >= 0) return false; // '-', '_'
  const eq = run.indexOf(EQUALS);
  if (eq < 0) return true;
  // padding ends the data: after the first '=' only more padding or ignored bytes may follow
  for (let i = eq + 1; i < run.length; i++) if (ALPHABET[run[i]!] === 1) return false;
  return true;
}

/** true for a part whose decoded body postal-mime only ever hands out as attachment bytes. */
function onlyAttachmentBytes(node: MimeNodeLike): boolean {
  if (node.contentType.multipart) return false;
  const type = node.contentType.parsed.value;
  // text may become the body, a message is parsed, a calendar is decoded as text
  return !type.startsWith('text/') && !type.startsWith('message/') && type !== 'application/ics';
}

/** the parts of PostalMime that {@link readLine} reads and moves. */
interface LineReader {
  buf: ArrayBuffer;
  av: Uint8Array;
  readPos: number;
  /** a Buffer over `av`, for its native indexOf; made on the first line. */
  lineSearch?: Buffer;
}

/**
 * postal-mime's readLine, with a native search for the line feed instead of a JavaScript step per
 * byte (a third of a 500 KB parse). Same answer: the bytes up to the next LF without the CRs
 * and LF that end them, and whether the input is used up.
 */
function readLine(this: LineReader): { bytes: Uint8Array; done: boolean } {
  const av = this.av;
  const start = this.readPos;
  this.lineSearch ??= Buffer.from(av.buffer, av.byteOffset, av.byteLength);
  const lf = this.lineSearch.indexOf(LF, start);
  const stop = lf < 0 ? av.length : lf;
  let end = stop;
  // stock readLine ends a line after its last byte other than CR or LF; before `stop` only a
  // CR can be either
  while (end > start && av[end - 1] === CR) end--;
  this.readPos = lf < 0 ? av.length : lf + 1;
  return { bytes: new Uint8Array(this.buf, start, end - start), done: this.readPos >= av.length };
}

let installed = false;

/** replaces postal-mime's choice of body decoder, in this thread, as described above. */
export function installFastDecoders(): void {
  if (installed) return;
  installed = true;
  (PostalMime.prototype as unknown as { readLine: typeof readLine }).readLine = readLine;
  const root = (new PostalMime() as unknown as { root: MimeNodeLike }).root;
  const proto = Object.getPrototypeOf(root) as MimeNodeLike;
  const original = proto.setupContentDecoder;
  proto.setupContentDecoder = function setupContentDecoder(this: MimeNodeLike, transferEncoding: string): void {
    original.call(this, transferEncoding);
    // the same test postal-mime makes to pick its base64 decoder
    const base64 = /base64/i.test(transferEncoding);
    if (sizeOnlyParsers.has(this.postalMime) && onlyAttachmentBytes(this)) {
      if (base64) this.contentDecoder = new Base64SizeCounter();
      else if (!/quoted-printable/i.test(transferEncoding)) this.contentDecoder = new PassThroughSizeCounter();
      return;
    }
    if (base64) {
      const slow = this.contentDecoder!;
      this.contentDecoder = new FastBase64Decoder(() => slow);
    } else if (!/quoted-printable/i.test(transferEncoding)) {
      this.contentDecoder = new PassThroughDecoder();
    }
  };
}
