/**
 * Where the DATA of one SMTP transaction accumulates (issue #18 item 5): in shared memory the
 * parser worker reads in place and the store binds as the raw BLOB, so the message is held once.
 * A large message streams straight into a growable SharedArrayBuffer: V8 reserves its address
 * space up front and commits pages as it grows, so nothing is copied as it grows and the buffer
 * ends exactly as long as the message (the worker then reads the whole buffer, with no copy of a
 * view; see asParserInput in mime/parse-worker.ts). A small message keeps smtp-server's chunks
 * and is copied once at the end into an exactly sized one: a growable buffer costs an address
 * space reservation (measured ~20 µs against ~3 µs for a fixed 2 KB one), which only pays off
 * when there are megabytes to hold.
 * Not here: the size limit and the server-wide budget (server.ts decides what to keep).
 */

/** past this many bytes a message streams into a growable buffer instead of a chunk list. */
export const SMALL_MESSAGE_BYTES = 64 * 1024;

/** ES2024's growable SharedArrayBuffer (Node 20 has it; the project's TypeScript lib is ES2023). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(newByteLength: number): void;
}
const Growable = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

export class DataBuffer {
  private chunks: Buffer[] = [];
  private shared: GrowableSharedArrayBuffer | null = null;
  /** a length-tracking view of `shared`: it covers whatever has been grown. */
  private bytes: Uint8Array | null = null;
  private length = 0;
  /** false once the address space could not be reserved: the chunk list then goes on. */
  private canGrow = true;

  /**
   * @param maxBytes the most this message may hold (the size limit, or the server-wide budget
   *   if smaller): the growable buffer reserves that much address space, of which only what
   *   arrives becomes memory.
   * @param declared the SIZE= the client declared on MAIL FROM, if any: a large one skips the
   *   chunk list. It is a hint only; a message may be shorter or longer than declared.
   */
  constructor(
    private readonly maxBytes: number,
    declared = 0,
  ) {
    if (declared > SMALL_MESSAGE_BYTES) this.reserve();
  }

  /** bytes held right now. */
  get size(): number {
    return this.length;
  }

  /** keeps a copy of `chunk` (smtp-server's chunk is not kept, so it is garbage at once). */
  append(chunk: Buffer): void {
    const next = this.length + chunk.length;
    if (next > this.maxBytes) throw new RangeError(`DATA past its limit of ${this.maxBytes} bytes`);
    if (this.shared === null && this.canGrow && next > SMALL_MESSAGE_BYTES) this.reserve();
    if (this.shared !== null && this.bytes !== null) {
      this.shared.grow(next);
      this.bytes.set(chunk, this.length);
    } else {
      this.chunks.push(chunk);
    }
    this.length = next;
  }

  /**
   * The message, as a Buffer over a SharedArrayBuffer of exactly its length (what mime/pool.ts
   * hands to the worker without copying). The buffer is empty afterwards.
   */
  take(): Buffer {
    let out: Buffer;
    if (this.shared !== null) {
      out = Buffer.from(this.shared, 0, this.length);
    } else {
      out = Buffer.from(new SharedArrayBuffer(this.length));
      let at = 0;
      for (const c of this.chunks) at += c.copy(out, at);
    }
    this.drop();
    return out;
  }

  /** lets go of everything held (it is freed by the next GC). */
  drop(): void {
    this.chunks = [];
    this.shared = null;
    this.bytes = null;
    this.length = 0;
  }

  /**
   * Moves to a growable buffer. If the address space cannot be reserved (V8 caps the total a
   * process may reserve, and refuses a maximum above 4 GiB), the chunk list simply goes on: one
   * copy more at the end, but the message is taken.
   */
  private reserve(): void {
    let shared: GrowableSharedArrayBuffer;
    try {
      shared = new Growable(0, { maxByteLength: this.maxBytes });
    } catch {
      this.canGrow = false;
      return;
    }
    const bytes = new Uint8Array(shared);
    shared.grow(this.length);
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.shared = shared;
    this.bytes = bytes;
  }
}
