/**
 * A Blob for the parser worker that reads back with one copy. postal-mime collects each part's
 * decoded body in a `Blob` (one chunk per line) and reads it back with `arrayBuffer()`; Node 20's
 * Blob reader schedules a step per chunk, so a 500 KB attachment (9,000 base64 lines) took
 * thousands of event-loop turns and about a third of the parse. This class holds the chunks and
 * concatenates them once. It is installed as the global `Blob` in the worker thread only (as
 * the TextDecoder repair is); anything it is not built for goes to the native class.
 */

type Part = Uint8Array | ArrayBuffer | string;

const Native = globalThis.Blob;
const encoder = new TextEncoder();

/** a minimal, synchronous-backed Blob over byte and string chunks. */
export class ByteBlob {
  readonly type: string;
  readonly size: number;
  private readonly parts: Uint8Array[];

  constructor(parts: Part[] = [], options?: { type?: string }) {
    this.type = options?.type ?? '';
    this.parts = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p instanceof ArrayBuffer ? new Uint8Array(p) : p));
    let size = 0;
    for (const p of this.parts) size += p.byteLength;
    this.size = size;
  }

  /** every chunk, copied once into a fresh ArrayBuffer of exactly `size` bytes. */
  bytesSync(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytesSync().buffer;
  }

  async bytes(): Promise<Uint8Array> {
    return this.bytesSync();
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(this.bytesSync());
  }

  slice(start?: number, end?: number, type?: string): Blob {
    return new Native([this.bytesSync().slice(start, end)], { type: type ?? this.type });
  }

  stream(): ReadableStream<Uint8Array> {
    return new Native([this.bytesSync()]).stream() as ReadableStream<Uint8Array>;
  }

  get [Symbol.toStringTag](): string {
    return 'Blob';
  }
}

/**
 * Makes `new Blob(chunks)` in this thread a {@link ByteBlob} when every chunk is bytes or a
 * string (what postal-mime builds); other uses get the native Blob.
 */
export function installByteBlob(): void {
  const Fast = function Blob(parts?: unknown[], options?: { type?: string }) {
    const simple = (parts ?? []).every((p) => typeof p === 'string' || p instanceof Uint8Array || p instanceof ArrayBuffer);
    return simple ? new ByteBlob(parts as Part[], options) : new Native(parts as ConstructorParameters<typeof Native>[0], options);
  } as unknown as typeof Blob;
  // instanceof Blob stays true for both kinds
  Object.defineProperty(Fast, Symbol.hasInstance, { value: (v: unknown) => v instanceof ByteBlob || v instanceof Native });
  globalThis.Blob = Fast;
}
