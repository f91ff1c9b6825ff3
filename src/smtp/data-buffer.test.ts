/**
 * The DATA accumulator: whatever the path (small, large, declared, no address space), the message
 * comes back whole, in order, as a Buffer that is the entire SharedArrayBuffer behind it: the
 * shape mime/pool.ts shares with the worker without copying and parse-worker.ts hands to
 * postal-mime without copying.
 */
import { describe, expect, it } from 'vitest';
import { DataBuffer, SMALL_MESSAGE_BYTES } from './data-buffer.js';

const MB = 1024 * 1024;

/** `n` bytes that differ from chunk to chunk, so an out-of-order copy shows. */
function chunks(total: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < total; at += size, i++) out.push(Buffer.alloc(Math.min(size, total - at), i % 251));
  return out;
}

function fill(data: DataBuffer, parts: Buffer[]): Buffer {
  for (const c of parts) data.append(c);
  return Buffer.concat(parts);
}

function expectWholeShared(raw: Buffer, expected: Buffer): void {
  expect(raw.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(raw.byteOffset).toBe(0);
  expect(raw.byteLength).toBe(raw.buffer.byteLength);
  expect(raw.equals(expected)).toBe(true);
}

describe('DataBuffer', () => {
  it('copies a small message once, at the end, into a fixed buffer of exactly its size', () => {
    const data = new DataBuffer(25 * MB);
    const expected = fill(data, chunks(3000, 1000));
    expect(data.size).toBe(3000);
    const raw = data.take();
    expectWholeShared(raw, expected);
    expect((raw.buffer as SharedArrayBuffer & { growable: boolean }).growable).toBe(false);
    expect(data.size).toBe(0);
  });

  it('streams a large message into a growable buffer that ends exactly as long as the message', () => {
    const data = new DataBuffer(25 * MB);
    const expected = fill(data, chunks(3 * MB + 17, 65_536));
    expect(data.size).toBe(3 * MB + 17);
    const raw = data.take();
    expectWholeShared(raw, expected);
    expect((raw.buffer as SharedArrayBuffer & { growable: boolean }).growable).toBe(true);
  });

  it('moves the chunks it listed into the growable buffer when the message outgrows the list', () => {
    const data = new DataBuffer(25 * MB);
    const expected = fill(data, [...chunks(SMALL_MESSAGE_BYTES - 10, 7_000), Buffer.alloc(20, 9), Buffer.alloc(5_000, 7)]);
    expectWholeShared(data.take(), expected);
  });

  it('starts growable when the client declared a large SIZE, and takes a message shorter than declared', () => {
    const data = new DataBuffer(25 * MB, 10 * MB);
    const expected = fill(data, chunks(2_000, 700));
    const raw = data.take();
    expectWholeShared(raw, expected);
    expect((raw.buffer as SharedArrayBuffer & { growable: boolean }).growable).toBe(true);
  });

  it('takes the message in a fixed buffer when no growable one can be reserved (V8 refuses a maximum above 4 GiB)', () => {
    const data = new DataBuffer(2 ** 33);
    const expected = fill(data, chunks(SMALL_MESSAGE_BYTES * 2, 65_536));
    const raw = data.take();
    expectWholeShared(raw, expected);
    expect((raw.buffer as SharedArrayBuffer & { growable: boolean }).growable).toBe(false);
  });

  it('refuses bytes past its limit and holds nothing after drop()', () => {
    const data = new DataBuffer(100_000);
    data.append(Buffer.alloc(90_000));
    expect(() => data.append(Buffer.alloc(20_000))).toThrow(RangeError);
    data.drop();
    expect(data.size).toBe(0);
    data.append(Buffer.from('fresh'));
    expect(data.take().toString()).toBe('fresh');
  });
});
